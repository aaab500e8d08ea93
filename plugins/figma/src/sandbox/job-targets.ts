// Where the results of a prepared job go. Prepared once per Generate from the selection at
// that moment, kept by id in the controller, so results that arrive later still land on the
// node the user meant even if the selection has moved on.

export type JobTarget =
  /** New layer centred where the viewport's centre was when the job was prepared. */
  | { kind: 'viewport'; centerX: number; centerY: number; width: number; height: number }
  /** The node's fills are replaced by the image. */
  | { kind: 'fill'; nodeId: string }
  /** New layer exactly over the node (same parent, same transform, same size). */
  | { kind: 'overlay'; nodeId: string }
  /** New layer inside the frame covering this rectangle of it (outpaint). */
  | { kind: 'frame-rect'; frameId: string; x: number; y: number; width: number; height: number };
