// Candidate picker: generated images side by side; a click chooses one.
import { byId, openChannel } from './post';

const channel = openChannel();
channel.onMessage((m) => {
  if (m.type !== 'candidates') return;
  const box = byId<HTMLDivElement>('candidates');
  box.replaceChildren(
    ...m.items.map((item) => {
      const fig = document.createElement('figure');
      const img = document.createElement('img');
      img.src = item.src;
      img.alt = `candidate ${item.index + 1}, seed ${item.seed}`;
      img.dataset.index = String(item.index);
      img.addEventListener('click', () => channel.send({ type: 'pickCandidate', index: item.index }));
      const cap = document.createElement('figcaption');
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = `Use #${item.index + 1} (seed ${item.seed})`;
      b.addEventListener('click', () => channel.send({ type: 'pickCandidate', index: item.index }));
      cap.append(b);
      fig.append(img, cap);
      return fig;
    }),
  );
});
byId('cancel').addEventListener('click', () => channel.send({ type: 'maskCancel' }));
channel.send({ type: 'ready' });
