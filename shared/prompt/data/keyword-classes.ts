// Word lists the prompt analysis and optimizer classify keywords with. Lower-case; matched as whole
// words. Written for Stipple; extend freely (tests only check the lists are well-formed).

/** Keywords about image quality or rendering fidelity: they go after the subject. */
export const QUALITY_TERMS = [
  'masterpiece', 'best quality', 'high quality', 'highest quality', 'top quality', 'ultra detailed', 'highly detailed',
  'extremely detailed', 'intricate details', 'intricate', 'detailed', 'sharp focus', 'sharp', '4k', '8k', '8k uhd', 'uhd', 'hdr',
  'high resolution', 'hires', 'absurdres', 'award winning', 'professional', 'trending on artstation', 'artstation',
  'photorealistic', 'hyperrealistic', 'realistic', 'ultra realistic', 'raw photo', 'studio quality', 'crisp', 'clean',
] as const;

/** Medium and style keywords. */
export const STYLE_TERMS = [
  'photo', 'photograph', 'photography', 'film still', 'cinematic', 'anime', 'anime style', 'manga', 'comic', 'cartoon',
  'illustration', 'digital art', 'digital painting', 'concept art', 'oil painting', 'watercolor', 'watercolour', 'ink',
  'sketch', 'pencil drawing', 'line art', 'lineart', 'pixel art', '3d render', 'octane render', 'unreal engine', 'blender',
  'low poly', 'isometric', 'flat design', 'vector', 'minimalist', 'minimal', 'surreal', 'fantasy', 'sci-fi', 'cyberpunk',
  'steampunk', 'vaporwave', 'art nouveau', 'baroque', 'impressionism', 'ukiyo-e', 'claymation', 'studio ghibli',
] as const;

/** Lighting keywords. */
export const LIGHTING_TERMS = [
  'lighting', 'soft lighting', 'dramatic lighting', 'studio lighting', 'natural lighting', 'volumetric lighting',
  'rim light', 'backlight', 'backlit', 'golden hour', 'blue hour', 'sunlight', 'moonlight', 'neon lights', 'bokeh',
  'god rays', 'ambient occlusion', 'global illumination', 'low key', 'high key', 'cinematic lighting',
] as const;

/** Camera and composition keywords. */
export const CAMERA_TERMS = [
  'close-up', 'close up', 'closeup', 'portrait', 'full body', 'upper body', 'wide shot', 'wide angle', 'telephoto',
  'macro', 'aerial view', "bird's eye view", 'top-down', 'from above', 'from below', 'low angle', 'high angle',
  'depth of field', 'shallow depth of field', '35mm', '50mm', '85mm', 'f/1.8', 'dslr', 'fisheye', 'panorama',
  'rule of thirds', 'centered', 'symmetrical', 'side view', 'front view',
] as const;

/** Words that make a prompt about people or characters (CFG 7–15). */
export const PEOPLE_TERMS = [
  'woman', 'women', 'man', 'men', 'girl', 'girls', 'boy', 'boys', 'person', 'people', 'child', 'children', 'kid',
  'lady', 'gentleman', 'face', 'portrait', 'selfie', 'character', 'warrior', 'knight', 'princess', 'prince', 'queen',
  'king', 'soldier', 'witch', 'wizard', 'elf', 'samurai', 'ninja', 'astronaut', 'model', 'actor', 'actress', 'old man',
  'old woman', 'baby', 'couple', 'family', 'crowd', 'headshot', 'figure', 'hero', 'villain', '1girl', '1boy',
] as const;

/** Words that make a prompt about architecture or a large scene (CFG 3–7). */
export const SCENE_TERMS = [
  'architecture', 'architectural', 'building', 'buildings', 'skyscraper', 'house', 'villa', 'cathedral', 'church',
  'temple', 'castle', 'palace', 'bridge', 'tower', 'city', 'cityscape', 'skyline', 'street', 'town', 'village',
  'landscape', 'mountain', 'mountains', 'valley', 'forest', 'ocean', 'sea', 'desert', 'canyon', 'lake', 'river',
  'interior', 'room', 'living room', 'bedroom', 'kitchen', 'office', 'lobby', 'hall', 'facade', 'panorama',
  'aerial view', 'scenery', 'environment', 'world', 'battlefield', 'spaceship interior', 'harbor', 'island',
] as const;

/** Icon and graphic keywords (Euler a). */
export const ICON_TERMS = [
  'icon', 'app icon', 'logo', 'sticker', 'emoji', 'badge', 'symbol', 'favicon', 'pixel art', 'sprite', 'game asset',
  'isometric', 'flat design', 'vector', 'mascot',
] as const;

/** Anime and manga keywords (Euler a). */
export const ANIME_TERMS = ['anime', 'anime style', 'manga', 'chibi', 'waifu', 'studio ghibli', 'cel shading', 'visual novel', '1girl', '1boy'] as const;

/** Realism keywords: with people they call for DPM++ 2S a Karras. */
export const REALISM_TERMS = ['photo', 'photograph', 'photography', 'photorealistic', 'realistic', 'raw photo', 'dslr', 'hyperrealistic', '85mm', '35mm', 'skin texture'] as const;
