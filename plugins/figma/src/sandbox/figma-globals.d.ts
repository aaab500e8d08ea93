// Used by tsconfig.sandbox.json in place of plugin-api-standalone (see its `paths`): the same
// type names, taken from the globals that the sandbox program gets from plugin-typings, so
// the real `figma` global and the sandbox modules agree on one set of declarations.
type GBaseNode = BaseNode;
type GFrameNode = FrameNode;
type GImagePaint = ImagePaint;
type GPaint = Paint;
type GPluginAPI = PluginAPI;
type GRectangleNode = RectangleNode;
type GSceneNode = SceneNode;
type GTransform = Transform;

export type {
  GBaseNode as BaseNode,
  GFrameNode as FrameNode,
  GImagePaint as ImagePaint,
  GPaint as Paint,
  GPluginAPI as PluginAPI,
  GRectangleNode as RectangleNode,
  GSceneNode as SceneNode,
  GTransform as Transform,
};
