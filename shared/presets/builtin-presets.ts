// The built-in style presets, as data. Settings follow the guidance our users work by: 18–30 steps
// outside Turbo; CFG 7–15 for people and characters, 3–7 for architecture and large scenes; Euler a for
// icons and anime, DPM++ 2S a Karras for realistic portraits and complex scenes. Turbo models run
// 1–4 steps with CFG ≤ 1 (guidance off), as their model cards say.

import type { SamplerIdWire } from '../protocol/samplers';
import type { PresetFamily, RecommendedSettings, StylePreset, SubjectKind } from './style-preset';

type Shape = 'square' | 'portrait' | 'landscape';

// Native resolutions: SD 1.x around 512², SDXL around 1024² (its trained buckets), Turbo 512².
const SIZES: Record<PresetFamily, Record<Shape, [number, number]>> = {
  sd1: { square: [512, 512], portrait: [512, 768], landscape: [768, 512] },
  sdxl: { square: [1024, 1024], portrait: [832, 1216], landscape: [1216, 832] },
  turbo: { square: [512, 512], portrait: [512, 640], landscape: [640, 512] },
};

interface PresetSpec {
  id: string;
  name: string;
  prompt: string;
  negative: string;
  subject: SubjectKind;
  shape: Shape;
  sampler: SamplerIdWire;
  steps: number;
  cfg: number;
  turboSteps?: number;
}

function sdxlCfg(spec: PresetSpec): number {
  return spec.subject === 'people' || spec.subject === 'anime' ? spec.cfg : Math.max(3, spec.cfg - 1);
}

function settings(spec: PresetSpec): Record<PresetFamily, RecommendedSettings> {
  const size = (family: PresetFamily) => ({
    width: SIZES[family][spec.shape][0],
    height: SIZES[family][spec.shape][1],
  });
  return {
    sd1: { sampler: spec.sampler, steps: spec.steps, cfg: spec.cfg, ...size('sd1') },
    // SDXL follows prompts more closely: a point lower CFG (never below 7 for people and characters),
    // a few more steps.
    sdxl: { sampler: spec.sampler, steps: Math.min(30, spec.steps + 4), cfg: sdxlCfg(spec), ...size('sdxl') },
    turbo: { sampler: 'euler_a', steps: spec.turboSteps ?? 2, cfg: 0, ...size('turbo') },
  };
}

const PHOTO_NEGATIVE =
  'cartoon, illustration, painting, drawing, anime, 3d render, cgi, low quality, blurry, jpeg artifacts, watermark, text, oversaturated';
const PEOPLE_NEGATIVE =
  'deformed, disfigured, bad anatomy, extra limbs, extra fingers, mutated hands, poorly drawn face, cross-eyed, ugly, blurry, low quality, watermark, text';
const ART_NEGATIVE = 'photo, photorealistic, low quality, blurry, watermark, signature, text, jpeg artifacts';
const GRAPHIC_NEGATIVE =
  'photo, photorealistic, realistic, shading, gradient noise, blurry, low quality, watermark, signature, text, cluttered';

const SPECS: PresetSpec[] = [
  {
    id: 'photographic',
    name: 'Photographic',
    prompt: 'photograph of {prompt}, 35mm photo, natural lighting, sharp focus, highly detailed, film grain',
    negative: PHOTO_NEGATIVE,
    subject: 'general',
    shape: 'landscape',
    sampler: 'dpmpp_2m_karras',
    steps: 25,
    cfg: 7,
  },
  {
    id: 'cinematic',
    name: 'Cinematic',
    prompt:
      'cinematic film still of {prompt}, shallow depth of field, anamorphic lens, dramatic lighting, color graded, epic composition',
    negative: `${PHOTO_NEGATIVE}, flat lighting`,
    subject: 'scene',
    shape: 'landscape',
    sampler: 'dpmpp_2s_a_karras',
    steps: 28,
    cfg: 6,
  },
  {
    id: 'portrait',
    name: 'Portrait',
    prompt:
      'portrait photo of {prompt}, 85mm lens, soft studio lighting, detailed skin texture, sharp eyes, bokeh',
    negative: `${PEOPLE_NEGATIVE}, cartoon, painting`,
    subject: 'people',
    shape: 'portrait',
    sampler: 'dpmpp_2s_a_karras',
    steps: 28,
    cfg: 7.5,
    turboSteps: 4,
  },
  {
    id: 'anime',
    name: 'Anime',
    prompt: 'anime artwork of {prompt}, anime style, key visual, vibrant colors, clean lineart, studio anime',
    negative:
      'photo, photorealistic, realistic, 3d, deformed, bad anatomy, extra fingers, low quality, blurry, watermark, text',
    subject: 'anime',
    shape: 'portrait',
    sampler: 'euler_a',
    steps: 24,
    cfg: 7,
  },
  {
    id: 'manga',
    name: 'Manga',
    prompt:
      'manga panel of {prompt}, black and white, screentone, ink lines, dynamic composition, japanese comic',
    negative: 'color, photo, photorealistic, 3d, blurry, low quality, watermark',
    subject: 'anime',
    shape: 'portrait',
    sampler: 'euler_a',
    steps: 24,
    cfg: 7,
  },
  {
    id: 'comic',
    name: 'Comic Book',
    prompt:
      'comic book art of {prompt}, bold ink outlines, halftone shading, vivid flat colors, graphic novel',
    negative: 'photo, photorealistic, blurry, low quality, watermark, deformed',
    subject: 'general',
    shape: 'portrait',
    sampler: 'euler_a',
    steps: 24,
    cfg: 7,
  },
  {
    id: 'oil-painting',
    name: 'Oil Painting',
    prompt:
      'oil painting of {prompt}, visible brush strokes, rich impasto texture, classical composition, canvas',
    negative: ART_NEGATIVE,
    subject: 'general',
    shape: 'portrait',
    sampler: 'dpmpp_2m_karras',
    steps: 28,
    cfg: 7,
  },
  {
    id: 'watercolor',
    name: 'Watercolor',
    prompt: 'watercolor painting of {prompt}, soft washes, wet on wet, paper texture, delicate colors',
    negative: `${ART_NEGATIVE}, harsh lines`,
    subject: 'general',
    shape: 'landscape',
    sampler: 'dpmpp_2m_karras',
    steps: 25,
    cfg: 7,
  },
  {
    id: 'ink',
    name: 'Ink Drawing',
    prompt:
      'ink drawing of {prompt}, pen and ink, cross hatching, black ink on white paper, detailed linework',
    negative: 'color, photo, photorealistic, blurry, low quality, watermark',
    subject: 'general',
    shape: 'square',
    sampler: 'euler_a',
    steps: 22,
    cfg: 7,
  },
  {
    id: 'pixel-art',
    name: 'Pixel Art',
    prompt: 'pixel art of {prompt}, 16-bit, retro game sprite, limited palette, crisp pixels',
    negative: 'blurry, anti-aliasing, photo, photorealistic, 3d render, smooth gradients, low quality',
    subject: 'icon',
    shape: 'square',
    sampler: 'euler_a',
    steps: 22,
    cfg: 7,
  },
  {
    id: 'isometric-game-asset',
    name: 'Isometric Game Asset',
    prompt:
      'isometric game asset of {prompt}, isometric view, clean edges, game art, centered, simple background',
    negative: 'perspective distortion, photo, blurry, cluttered background, low quality, text, watermark',
    subject: 'icon',
    shape: 'square',
    sampler: 'euler_a',
    steps: 24,
    cfg: 7,
  },
  {
    id: 'app-icon',
    name: 'App Icon',
    prompt:
      'app icon of {prompt}, rounded square, flat design, simple shapes, bold colors, centered, minimal',
    negative: `${GRAPHIC_NEGATIVE}, multiple objects`,
    subject: 'icon',
    shape: 'square',
    sampler: 'euler_a',
    steps: 22,
    cfg: 7,
  },
  {
    id: 'flat-illustration',
    name: 'Flat Illustration',
    prompt: 'flat vector illustration of {prompt}, flat colors, simple shapes, clean design, minimal shading',
    negative: GRAPHIC_NEGATIVE,
    subject: 'general',
    shape: 'landscape',
    sampler: 'euler_a',
    steps: 22,
    cfg: 7,
  },
  {
    id: 'line-art',
    name: 'Line Art',
    prompt: 'line art of {prompt}, clean single-weight lines, black on white, minimalist, outline drawing',
    negative: 'color, shading, photo, photorealistic, blurry, low quality, watermark',
    subject: 'general',
    shape: 'square',
    sampler: 'euler_a',
    steps: 22,
    cfg: 7,
  },
  {
    id: '3d-render',
    name: '3D Render',
    prompt:
      '3d render of {prompt}, octane render, global illumination, physically based materials, highly detailed',
    negative: 'photo, painting, drawing, sketch, blurry, low quality, watermark, text',
    subject: 'object',
    shape: 'square',
    sampler: 'dpmpp_2m_karras',
    steps: 25,
    cfg: 7,
  },
  {
    id: 'clay',
    name: 'Clay',
    prompt: 'claymation of {prompt}, plasticine, handmade clay figure, soft studio lighting, stop motion',
    negative: 'photo, photorealistic, painting, blurry, low quality, watermark',
    subject: 'object',
    shape: 'square',
    sampler: 'dpmpp_2m_karras',
    steps: 25,
    cfg: 7,
  },
  {
    id: 'low-poly',
    name: 'Low Poly',
    prompt: 'low poly render of {prompt}, faceted geometry, flat shaded polygons, minimal, clean background',
    negative: 'photo, photorealistic, high detail texture, blurry, low quality, watermark',
    subject: 'object',
    shape: 'square',
    sampler: 'euler_a',
    steps: 22,
    cfg: 7,
  },
  {
    id: 'concept-art',
    name: 'Concept Art',
    prompt:
      'concept art of {prompt}, digital painting, matte painting, artstation, dramatic lighting, detailed environment',
    negative: 'photo, low quality, blurry, watermark, text, deformed',
    subject: 'scene',
    shape: 'landscape',
    sampler: 'dpmpp_2s_a_karras',
    steps: 28,
    cfg: 6,
  },
  {
    id: 'fantasy',
    name: 'Fantasy',
    prompt: 'fantasy art of {prompt}, magical atmosphere, ethereal light, intricate details, epic fantasy',
    negative: 'photo, modern, low quality, blurry, watermark, text, deformed',
    subject: 'scene',
    shape: 'landscape',
    sampler: 'dpmpp_2s_a_karras',
    steps: 28,
    cfg: 6,
  },
  {
    id: 'sci-fi',
    name: 'Sci-Fi',
    prompt: 'science fiction art of {prompt}, futuristic, advanced technology, neon lights, highly detailed',
    negative: 'medieval, rustic, low quality, blurry, watermark, text, deformed',
    subject: 'scene',
    shape: 'landscape',
    sampler: 'dpmpp_2s_a_karras',
    steps: 28,
    cfg: 6,
  },
  {
    id: 'architecture',
    name: 'Architecture',
    prompt:
      'architectural photograph of {prompt}, modern architecture, clean lines, wide angle, golden hour, high detail',
    negative: 'people, crowd, distorted perspective, warped lines, low quality, blurry, watermark, text',
    subject: 'scene',
    shape: 'landscape',
    sampler: 'dpmpp_2s_a_karras',
    steps: 25,
    cfg: 5,
  },
  {
    id: 'interior',
    name: 'Interior',
    prompt:
      'interior design photo of {prompt}, cozy room, natural light, wide angle, styled interior, high detail',
    negative: 'people, clutter, distorted perspective, low quality, blurry, watermark, text',
    subject: 'scene',
    shape: 'landscape',
    sampler: 'dpmpp_2s_a_karras',
    steps: 25,
    cfg: 5,
  },
  {
    id: 'product-shot',
    name: 'Product Shot',
    prompt:
      'product photo of {prompt}, studio lighting, seamless background, commercial photography, sharp focus',
    negative:
      'cluttered background, hands, people, low quality, blurry, watermark, text, reflections artifacts',
    subject: 'object',
    shape: 'square',
    sampler: 'dpmpp_2m_karras',
    steps: 25,
    cfg: 7,
  },
  {
    id: 'logo-sticker',
    name: 'Logo / Sticker',
    prompt:
      'sticker of {prompt}, die-cut sticker, bold outline, flat colors, white border, simple background, vector',
    negative: `${GRAPHIC_NEGATIVE}, busy background`,
    subject: 'icon',
    shape: 'square',
    sampler: 'euler_a',
    steps: 22,
    cfg: 7,
  },
  {
    id: 'ui-background',
    name: 'UI Mockup Background',
    prompt:
      'abstract background of {prompt}, soft gradient, smooth shapes, subtle texture, minimal, wallpaper',
    negative: 'text, letters, logo, people, faces, busy, cluttered, low quality, watermark',
    subject: 'general',
    shape: 'landscape',
    sampler: 'dpmpp_2m_karras',
    steps: 22,
    cfg: 5,
  },
  {
    id: 'cyberpunk',
    name: 'Cyberpunk',
    prompt:
      'cyberpunk scene of {prompt}, neon lights, rain-soaked streets, night city, holograms, high contrast',
    negative: 'daylight, rustic, low quality, blurry, watermark, text',
    subject: 'scene',
    shape: 'landscape',
    sampler: 'dpmpp_2s_a_karras',
    steps: 28,
    cfg: 6,
  },
  {
    id: 'vintage-photo',
    name: 'Vintage Photo',
    prompt: 'vintage photograph of {prompt}, 1970s film, faded colors, light leaks, film grain, nostalgic',
    negative: 'digital, modern, oversaturated, cartoon, illustration, low quality, watermark',
    subject: 'general',
    shape: 'landscape',
    sampler: 'dpmpp_2m_karras',
    steps: 25,
    cfg: 7,
  },
  {
    id: 'storybook',
    name: "Children's Storybook",
    prompt: "children's book illustration of {prompt}, whimsical, soft colors, gouache, friendly characters",
    negative: 'photo, photorealistic, scary, dark, low quality, blurry, watermark, text',
    subject: 'general',
    shape: 'landscape',
    sampler: 'euler_a',
    steps: 24,
    cfg: 7,
  },
];

export const BUILTIN_PRESETS: readonly StylePreset[] = SPECS.map((spec) => ({
  id: spec.id,
  name: spec.name,
  prompt: spec.prompt,
  negativePrompt: spec.negative,
  subject: spec.subject,
  recommended: settings(spec),
  source: 'builtin',
}));
