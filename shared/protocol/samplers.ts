// Sampler ids the protocol accepts, with the labels AUTOMATIC1111 shows for them.
export const SAMPLER_IDS = [
  'euler',
  'euler_a',
  'ddim',
  'dpmpp_2m',
  'dpmpp_2m_karras',
  'dpmpp_2s_a_karras',
  'dpmpp_sde_karras',
  'heun',
  'lms',
  'unipc',
  'lcm',
  'pndm',
] as const;

export type SamplerIdWire = (typeof SAMPLER_IDS)[number];

export const SAMPLER_LABELS: Record<SamplerIdWire, string> = {
  euler: 'Euler',
  euler_a: 'Euler a',
  ddim: 'DDIM',
  dpmpp_2m: 'DPM++ 2M',
  dpmpp_2m_karras: 'DPM++ 2M Karras',
  dpmpp_2s_a_karras: 'DPM++ 2S a Karras',
  dpmpp_sde_karras: 'DPM++ SDE Karras',
  heun: 'Heun',
  lms: 'LMS',
  unipc: 'UniPC',
  lcm: 'LCM',
  pndm: 'PLMS',
};
