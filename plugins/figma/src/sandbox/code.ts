// Entry point of the Figma sandbox bundle (dist/code.js): the composition root. Figma gives
// the plugin `figma` and `__html__` (the inlined UI) as globals; nothing else reads them.
import { startPlugin } from './plugin-controller';

startPlugin(figma, __html__);
