// The plugin typings as a module, so sandbox logic and the tests' fake `figma` name the same
// types whichever tsconfig checks them (the sandbox one has them as globals, the root one not).
export type {
  BaseNode,
  FrameNode,
  ImagePaint,
  Paint,
  PluginAPI,
  RectangleNode,
  SceneNode,
  Transform,
} from '@figma/plugin-typings/plugin-api-standalone';
