// kohya LoRAs for SDXL (and some SD 1.x LoRAs made from original checkpoints) name UNet modules after the
// original LDM/SGM code (`input_blocks_4_1_transformer_blocks_0_attn1_to_q`), not diffusers. This maps such
// a flattened name to diffusers' flattened name, as diffusers' `_maybe_map_sgm_blocks_to_diffusers` and
// A1111's `convert_diffusers_name_to_compvis` do (in reverse). Assumes 2 resnets per down block and 3 per
// up block (layers_per_block 2: every SD 1.x/2.x/XL UNet). Returns candidates: an up block's `_1_` is an
// attention, or the upsampler where the block has none.

const RESNET_PARTS: [RegExp, string][] = [
  [/^in_layers_2(_|$)/, 'conv1$1'],
  [/^out_layers_3(_|$)/, 'conv2$1'],
  [/^emb_layers_1(_|$)/, 'time_emb_proj$1'],
  [/^skip_connection(_|$)/, 'conv_shortcut$1'],
];

function resnet(prefix: string, rest: string): string {
  for (const [re, to] of RESNET_PARTS) if (re.test(rest)) return `${prefix}_${rest.replace(re, to)}`;
  return `${prefix}_${rest}`;
}

export function ldmToDiffusersFlat(flat: string): string[] {
  const top: [RegExp, string][] = [
    [/^time_embed_0$/, 'time_embedding_linear_1'],
    [/^time_embed_2$/, 'time_embedding_linear_2'],
    [/^label_emb_0_0$/, 'add_embedding_linear_1'],
    [/^label_emb_0_2$/, 'add_embedding_linear_2'],
    [/^input_blocks_0_0$/, 'conv_in'],
    [/^out_2$/, 'conv_out'],
  ];
  for (const [re, to] of top) if (re.test(flat)) return [to];
  let m = /^input_blocks_(\d+)_(\d+)_(.+)$/.exec(flat);
  if (m) {
    const i = Number(m[1]);
    const block = Math.floor((i - 1) / 3);
    const j = (i - 1) % 3;
    if (j === 2) return [`down_blocks_${block}_downsamplers_0_conv`];
    return m[2] === '0'
      ? [resnet(`down_blocks_${block}_resnets_${j}`, m[3])]
      : [`down_blocks_${block}_attentions_${j}_${m[3]}`];
  }
  if (/^input_blocks_(\d+)_0_op$/.test(flat)) {
    const i = Number(/^input_blocks_(\d+)/.exec(flat)![1]);
    return [`down_blocks_${Math.floor((i - 1) / 3)}_downsamplers_0_conv`];
  }
  m = /^middle_block_(\d)_(.+)$/.exec(flat);
  if (m) {
    if (m[1] === '1') return [`mid_block_attentions_0_${m[2]}`];
    return [resnet(`mid_block_resnets_${m[1] === '0' ? 0 : 1}`, m[2])];
  }
  m = /^output_blocks_(\d+)_(\d+)_(.+)$/.exec(flat);
  if (m) {
    const n = Number(m[1]);
    const block = Math.floor(n / 3);
    const j = n % 3;
    if (m[2] === '0') return [resnet(`up_blocks_${block}_resnets_${j}`, m[3])];
    if (m[2] === '2') return [`up_blocks_${block}_upsamplers_0_${m[3]}`];
    return [`up_blocks_${block}_attentions_${j}_${m[3]}`, `up_blocks_${block}_upsamplers_0_${m[3]}`];
  }
  return [];
}
