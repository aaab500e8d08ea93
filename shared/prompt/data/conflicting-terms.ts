// Pairs of keyword groups that contradict each other in one prompt. Each group is a list of
// lower-case phrases matched as whole words. Written for Stipple.

export interface ConflictRule {
  id: string;
  a: readonly string[];
  b: readonly string[];
  /** Why they clash, for the finding's message. */
  reason: string;
}

const COLOUR_TERMS = [
  'colorful', 'colourful', 'vibrant colors', 'vivid colors', 'vibrant', 'vivid', 'rainbow', 'red', 'blue', 'green',
  'yellow', 'orange', 'purple', 'pink', 'cyan', 'magenta', 'teal', 'turquoise', 'golden', 'neon', 'pastel colors',
  'technicolor', 'full color', 'saturated',
];

export const CONFLICT_RULES: readonly ConflictRule[] = [
  { id: 'day-night', a: ['day', 'daytime', 'daylight', 'midday', 'noon', 'sunny', 'bright sunlight'], b: ['night', 'nighttime', 'midnight', 'night sky', 'moonlight', 'starry sky'], reason: 'day and night in one image' },
  { id: 'monochrome-colour', a: ['black and white', 'monochrome', 'grayscale', 'greyscale', 'b&w'], b: COLOUR_TERMS, reason: 'a monochrome image cannot show colours' },
  { id: 'sunrise-sunset', a: ['sunrise', 'dawn'], b: ['sunset', 'dusk'], reason: 'sunrise and sunset are different times of day' },
  { id: 'summer-winter', a: ['summer', 'tropical', 'heat wave'], b: ['winter', 'snow', 'snowy', 'blizzard', 'frozen'], reason: 'summer and winter scenes' },
  { id: 'indoor-outdoor', a: ['indoors', 'indoor', 'interior'], b: ['outdoors', 'outdoor', 'exterior'], reason: 'indoors and outdoors at once' },
  { id: 'closeup-wide', a: ['close-up', 'close up', 'closeup', 'macro', 'extreme close-up'], b: ['wide shot', 'full body', 'long shot', 'establishing shot', 'aerial view'], reason: 'a close-up and a wide framing' },
  { id: 'photo-drawn', a: ['photo', 'photograph', 'photorealistic', 'raw photo', 'dslr'], b: ['anime', 'cartoon', 'manga', 'comic', 'watercolor', 'oil painting', 'pixel art', 'line art', 'sketch', 'chibi'], reason: 'a photograph and a drawn or painted medium' },
  { id: '2d-3d', a: ['2d', 'flat design', 'flat illustration', 'flat colors'], b: ['3d', '3d render', 'octane render', 'volumetric'], reason: '2D and 3D rendering styles' },
  { id: 'young-old', a: ['young', 'child', 'teenager', 'youthful'], b: ['old', 'elderly', 'aged', 'wrinkled'], reason: 'young and old describe the same subject' },
  { id: 'minimal-detailed', a: ['minimalist', 'minimal', 'simple'], b: ['intricate', 'highly detailed', 'ultra detailed', 'extremely detailed', 'ornate'], reason: 'minimalist and highly detailed' },
  { id: 'smiling-sad', a: ['smiling', 'smile', 'laughing', 'happy'], b: ['crying', 'sad', 'tears', 'angry'], reason: 'opposite expressions' },
  { id: 'dry-wet', a: ['dry', 'arid', 'desert'], b: ['rain', 'rainy', 'wet', 'flooded'], reason: 'dry and wet weather' },
];
