// A small in-repo fake of the Figma plugin API, enough for the sandbox logic: scene nodes
// with relative/absolute transforms (groups skipped, as Figma does), fills, pluginData,
// exportAsync that records its settings, clientStorage, commitUndo and the UI channel.
// Members are typed with Pick<> of the official typings, so a change there fails typecheck.
import type {
  ExportSettingsImage,
  PluginAPI,
  RectangleNode,
  SceneNode,
  Transform,
} from '@figma/plugin-typings/plugin-api-standalone';

type Mat = [[number, number, number], [number, number, number]];
type Paint = RectangleNode['fills'];
type ExportSettings = ExportSettingsImage;

function mul(m: Transform, n: Transform): Mat {
  return [
    [
      m[0][0] * n[0][0] + m[0][1] * n[1][0],
      m[0][0] * n[0][1] + m[0][1] * n[1][1],
      m[0][0] * n[0][2] + m[0][1] * n[1][2] + m[0][2],
    ],
    [
      m[1][0] * n[0][0] + m[1][1] * n[1][0],
      m[1][0] * n[0][1] + m[1][1] * n[1][1],
      m[1][0] * n[0][2] + m[1][1] * n[1][2] + m[1][2],
    ],
  ];
}

/** A transform rotating by `degrees` (Figma's `rotation` is counter-clockwise) at (x, y). */
export function placed(x: number, y: number, degrees = 0): Mat {
  const r = (-degrees * Math.PI) / 180;
  return [
    [Math.cos(r), -Math.sin(r), x],
    [Math.sin(r), Math.cos(r), y],
  ];
}

/** A minimal PNG header (signature + IHDR) so callers can read back the exported size. */
export function fakePng(width: number, height: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const v = new DataView(b.buffer);
  v.setUint32(16, width);
  v.setUint32(20, height);
  return b;
}

export function pngSize(png: Uint8Array): { width: number; height: number } {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

export interface FakeWorld {
  nextId: number;
  nodes: Map<string, FakeNode>;
  exports: { nodeId: string; settings: ExportSettings; upright: boolean }[];
  images: Map<string, { bytes: Uint8Array; width: number; height: number }>;
}

type NodeType =
  | 'PAGE'
  | 'FRAME'
  | 'GROUP'
  | 'RECTANGLE'
  | 'ELLIPSE'
  | 'POLYGON'
  | 'STAR'
  | 'VECTOR'
  | 'TEXT'
  | 'INSTANCE';

export class FakeNode implements Pick<RectangleNode, 'id' | 'name' | 'visible' | 'width' | 'height'> {
  readonly id: string;
  name: string;
  visible = true;
  removed = false;
  parent: FakeContainer | null = null;
  width: number;
  height: number;
  relativeTransform: Transform = placed(0, 0);
  private readonly pluginData = new Map<string, string>();

  constructor(
    readonly world: FakeWorld,
    readonly type: NodeType,
    init: { name?: string; width?: number; height?: number; transform?: Transform } = {},
  ) {
    this.id = `${world.nextId++}:1`;
    this.name = init.name ?? type.toLowerCase();
    this.width = init.width ?? 100;
    this.height = init.height ?? 100;
    if (init.transform) this.relativeTransform = init.transform;
    world.nodes.set(this.id, this);
  }

  /** Figma: relative to the nearest ancestor that is not a group. */
  get absoluteTransform(): Transform {
    let owner = this.parent;
    while (owner && owner.type === 'GROUP') owner = owner.parent;
    if (!owner || owner.type === 'PAGE') return this.relativeTransform;
    return mul(owner.absoluteTransform, this.relativeTransform);
  }

  get x(): number {
    return this.relativeTransform[0][2];
  }
  set x(v: number) {
    const t = this.relativeTransform;
    this.relativeTransform = [
      [t[0][0], t[0][1], v],
      [t[1][0], t[1][1], t[1][2]],
    ];
  }
  get y(): number {
    return this.relativeTransform[1][2];
  }
  set y(v: number) {
    const t = this.relativeTransform;
    this.relativeTransform = [
      [t[0][0], t[0][1], t[0][2]],
      [t[1][0], t[1][1], v],
    ];
  }

  resize: RectangleNode['resize'] = (w, h) => {
    this.width = w;
    this.height = h;
  };

  setPluginData: RectangleNode['setPluginData'] = (key, value) => {
    this.pluginData.set(key, value);
  };
  getPluginData: RectangleNode['getPluginData'] = (key) => this.pluginData.get(key) ?? '';

  remove(): void {
    if (this.parent) this.parent.children.splice(this.parent.children.indexOf(this), 1);
    this.parent = null;
    this.removed = true;
  }

  clone(): FakeNode {
    const c = this.copy();
    c.width = this.width;
    c.height = this.height;
    c.relativeTransform = this.relativeTransform;
    this.parent?.appendChild(c);
    return c;
  }

  protected copy(): FakeNode {
    return new FakeNode(this.world, this.type, { name: this.name });
  }

  exportAsync = async (settings?: ExportSettings): Promise<Uint8Array> => {
    const t = this.absoluteTransform;
    const upright = Math.abs(t[0][1]) < 1e-9 && Math.abs(t[1][0]) < 1e-9 && t[0][0] > 0 && t[1][1] > 0;
    this.world.exports.push({ nodeId: this.id, settings: settings ?? { format: 'PNG' }, upright });
    const c = settings && 'constraint' in settings ? settings.constraint : undefined;
    const scale = !c
      ? 1
      : c.type === 'WIDTH'
        ? c.value / this.width
        : c.type === 'HEIGHT'
          ? c.value / this.height
          : c.value;
    return fakePng(Math.round(this.width * scale), Math.round(this.height * scale));
  };
}

export class FakeShape extends FakeNode implements Pick<RectangleNode, 'fills'> {
  fills: Paint = [];
  pointCount = 5;
  innerRadius = 0.5;
  vectorPaths: { windingRule: 'NONZERO'; data: string }[] = [];
  protected override copy(): FakeNode {
    const c = new FakeShape(this.world, this.type, { name: this.name });
    c.fills = this.fills;
    return c;
  }
}

export class FakeContainer extends FakeNode {
  children: FakeNode[] = [];
  appendChild(child: FakeNode): void {
    child.parent?.children.splice(child.parent.children.indexOf(child), 1);
    child.parent = this;
    this.children.push(child);
  }
  insertChild(index: number, child: FakeNode): void {
    child.parent?.children.splice(child.parent.children.indexOf(child), 1);
    child.parent = this;
    this.children.splice(index, 0, child);
  }
}

export class FakeFrame extends FakeContainer implements Pick<RectangleNode, 'fills'> {
  fills: Paint = [];
  layoutMode: 'NONE' | 'HORIZONTAL' | 'VERTICAL' = 'NONE';
  layoutPositioning: 'AUTO' | 'ABSOLUTE' = 'AUTO';
}

export class FakeGroup extends FakeContainer {}

export interface FakeNodeChangeEvent {
  nodeChanges: { type: 'PROPERTY_CHANGE'; node: { id: string }; properties: string[] }[];
}

export class FakePage extends FakeContainer {
  selection: FakeNode[] = [];
  readonly listeners = new Map<string, ((e: FakeNodeChangeEvent) => void)[]>();
  on(event: string, cb: (e: FakeNodeChangeEvent) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), cb]);
  }
}

export interface FakeFigma {
  api: PluginAPI;
  world: FakeWorld;
  page: FakePage;
  posted: unknown[];
  notified: { message: string; error: boolean }[];
  undoCommits: () => number;
  storage: Map<string, unknown>;
  viewportCenter: { x: number; y: number };
  /** Sends a message to the sandbox as the UI would. */
  fromUi(message: unknown): void;
  fire(event: string): void;
  /** Figma's page `nodechange` for these nodes. */
  changed(...nodes: FakeNode[]): void;
  rect(
    init?: ConstructorParameters<typeof FakeNode>[2] & { parent?: FakeContainer; type?: NodeType },
  ): FakeShape;
  frame(init?: ConstructorParameters<typeof FakeNode>[2] & { parent?: FakeContainer }): FakeFrame;
  group(parent?: FakeContainer): FakeGroup;
  image(
    init: ConstructorParameters<typeof FakeNode>[2] & { parent?: FakeContainer; pixels?: [number, number] },
  ): FakeShape;
  flush(): Promise<void>;
}

export function createFakeFigma(): FakeFigma {
  const world: FakeWorld = { nextId: 1, nodes: new Map(), exports: [], images: new Map() };
  const page = new FakePage(world, 'PAGE', { name: 'Page 1' });
  const posted: unknown[] = [];
  const notified: { message: string; error: boolean }[] = [];
  const storage = new Map<string, unknown>();
  const listeners = new Map<string, (() => void)[]>();
  const viewportCenter = { x: 1000, y: 500 };
  let commits = 0;
  let onmessage: ((m: unknown) => void) | undefined;
  let imageCount = 0;

  const addImage = (bytes: Uint8Array, width: number, height: number) => {
    const hash = `hash${++imageCount}`;
    world.images.set(hash, { bytes, width, height });
    return hash;
  };

  // Only what the sandbox uses, each member typed as the real API types it.
  const api: Pick<
    PluginAPI,
    | 'createRectangle'
    | 'createImage'
    | 'getImageByHash'
    | 'getNodeByIdAsync'
    | 'commitUndo'
    | 'notify'
    | 'showUI'
    | 'on'
    | 'editorType'
  > & {
    currentPage: FakePage;
    viewport: { center: { x: number; y: number } };
    ui: Pick<PluginAPI['ui'], 'postMessage'> & { onmessage: ((m: unknown) => void) | undefined };
    clientStorage: Pick<PluginAPI['clientStorage'], 'getAsync' | 'setAsync' | 'deleteAsync'>;
  } = {
    editorType: 'figma',
    currentPage: page,
    viewport: { center: viewportCenter },
    createRectangle: () =>
      new FakeShape(world, 'RECTANGLE', { name: 'Rectangle' }) as unknown as RectangleNode,
    createImage: (bytes) => {
      const png = bytes.length >= 24 ? pngSize(bytes) : { width: 0, height: 0 };
      const hash = addImage(bytes, png.width, png.height);
      return { hash, getBytesAsync: async () => bytes, getSizeAsync: async () => png };
    },
    getImageByHash: (hash) => {
      const img = world.images.get(hash);
      return img
        ? {
            hash,
            getBytesAsync: async () => img.bytes,
            getSizeAsync: async () => ({ width: img.width, height: img.height }),
          }
        : null;
    },
    getNodeByIdAsync: async (id) => {
      const n = world.nodes.get(id);
      return n && !n.removed ? (n as unknown as SceneNode) : null;
    },
    commitUndo: () => {
      commits++;
    },
    notify: (message, options) => {
      notified.push({ message, error: options?.error ?? false });
      return { cancel: () => undefined };
    },
    showUI: () => undefined,
    on: ((event: string, cb: () => void) => {
      listeners.set(event, [...(listeners.get(event) ?? []), cb]);
    }) as PluginAPI['on'],
    ui: {
      postMessage: (m) => {
        posted.push(m);
      },
      onmessage: undefined,
    },
    clientStorage: {
      getAsync: async (key) => storage.get(key),
      setAsync: async (key, value) => {
        storage.set(key, value);
      },
      deleteAsync: async (key) => {
        storage.delete(key);
      },
    },
  };
  Object.defineProperty(api.ui, 'onmessage', {
    get: () => onmessage,
    set: (fn: (m: unknown) => void) => {
      onmessage = fn;
    },
  });

  const attach = <T extends FakeNode>(node: T, parent: FakeContainer | undefined): T => {
    (parent ?? page).appendChild(node);
    return node;
  };

  return {
    // The one cast: the fake implements the members the sandbox reads, typed by Pick<> above.
    api: api as unknown as PluginAPI,
    world,
    page,
    posted,
    notified,
    storage,
    viewportCenter,
    undoCommits: () => commits,
    fromUi: (m) => onmessage?.(m),
    fire: (event) => {
      for (const cb of listeners.get(event) ?? []) cb();
    },
    changed: (...nodes) => {
      const event: FakeNodeChangeEvent = {
        nodeChanges: nodes.map((n) => ({
          type: 'PROPERTY_CHANGE',
          node: { id: n.id },
          properties: ['fills'],
        })),
      };
      for (const cb of page.listeners.get('nodechange') ?? []) cb(event);
    },
    rect: (init = {}) => attach(new FakeShape(world, init.type ?? 'RECTANGLE', init), init.parent),
    frame: (init = {}) => attach(new FakeFrame(world, 'FRAME', init), init.parent),
    group: (parent) => attach(new FakeGroup(world, 'GROUP'), parent),
    image: (init) => {
      const node = attach(new FakeShape(world, 'RECTANGLE', { name: 'Image', ...init }), init.parent);
      const [w, h] = init.pixels ?? [node.width, node.height];
      const hash = addImage(fakePng(w, h), w, h);
      node.fills = [{ type: 'IMAGE', scaleMode: 'FILL', imageHash: hash }];
      return node;
    },
    flush: () => new Promise((r) => setTimeout(r, 0)),
  };
}

/** The fake's nodes, as the sandbox functions see them. */
export function asScene(node: FakeNode): SceneNode {
  return node as unknown as SceneNode;
}
