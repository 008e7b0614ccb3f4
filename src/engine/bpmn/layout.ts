/**
 * The diagram layout of a definition's BPMN view. Definitions are block-structured (a split and
 * its join, a step and its onError path, a sub-process and its steps), so the layout is one pass
 * over those blocks: a sequence left to right on one centre line, a split's branches one under
 * the other, an onError path under its step, a sub-process around its content. bpmn-auto-layout
 * is not used: it draws the content of a sub-process on top of the main flow unless told the
 * sub-process is expanded, and then stretches whole rows and columns of its grid around it.
 */

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type Point = [number, number];

/** A laid-out fragment of the diagram: one shape, or a block built of fragments and the flows between them. */
export type Block =
  | { kind: 'shape'; id: string; width: number; height: number }
  /** flows[i] goes from items[i] to items[i + 1]. */
  | { kind: 'sequence'; items: Block[]; flows: string[] }
  /** A branch without a body is a flow from the split straight to the join. */
  | { kind: 'split'; split: string; join: string | null; branches: Array<{ enter: string; body: Block | null; leave: string | null }> }
  /** A step (one shape) with an error boundary event whose path (handler) goes back into a merge, or ends. */
  | { kind: 'guarded'; main: Block; boundary: string; enter: string; handler: Block; merge: string | null; normal: string | null; back: string | null }
  /** A sub-process drawn expanded around its content. */
  | { kind: 'container'; id: string; inner: Block };

export interface Layout {
  shapes: Record<string, Bounds>;
  edges: Record<string, Point[]>;
}

export const SIZES = { task: { width: 100, height: 80 }, gateway: { width: 50, height: 50 }, event: { width: 36, height: 36 } };

const GAP = 50;
const LANE_GAP = 40;
const GATEWAY = SIZES.gateway.width;
const HALF_GATEWAY = GATEWAY / 2;
const HALF_EVENT = SIZES.event.height / 2;
const PADDING = { side: 30, top: 40, bottom: 30 };
const ORIGIN = { x: 150, y: 80 };

interface Extent {
  width: number;
  /** Above and below the centre line. */
  up: number;
  down: number;
}

export function layout(root: Block): Layout {
  const placer = new Placer();
  placer.place(root, ORIGIN.x, ORIGIN.y + placer.measure(root).up);
  return placer.out;
}

class Placer {
  readonly out: Layout = { shapes: {}, edges: {} };
  private readonly extents = new Map<Block, Extent>();

  measure(block: Block): Extent {
    let extent = this.extents.get(block);
    if (!extent) {
      extent = this.computeExtent(block);
      this.extents.set(block, extent);
    }
    return extent;
  }

  private computeExtent(block: Block): Extent {
    switch (block.kind) {
      case 'shape':
        return { width: block.width, up: block.height / 2, down: block.height / 2 };
      case 'sequence': {
        const items = block.items.map((item) => this.measure(item));
        const width = items.reduce((sum, item) => sum + item.width, 0) + GAP * Math.max(0, items.length - 1);
        return { width, up: Math.max(0, ...items.map((item) => item.up)), down: Math.max(0, ...items.map((item) => item.down)) };
      }
      case 'split': {
        const lanes = this.lanes(block);
        const last = lanes[lanes.length - 1];
        const bodies = Math.max(0, ...lanes.map((lane) => lane.extent.width));
        return {
          width: GATEWAY + GAP + bodies + (block.join ? GAP + GATEWAY : 0),
          up: Math.max(HALF_GATEWAY, lanes[0]?.extent.up ?? 0),
          down: Math.max(HALF_GATEWAY, (last?.offset ?? 0) + (last?.extent.down ?? 0)),
        };
      }
      case 'guarded': {
        const { main, handler, handlerX, mergeX } = this.guardGeometry(block);
        return {
          width: block.merge ? mergeX + GATEWAY : Math.max(main.width, handlerX + handler.width),
          up: Math.max(main.up, block.merge ? HALF_GATEWAY : 0),
          down: this.handlerOffset(block) + handler.down,
        };
      }
      case 'container': {
        const inner = this.measure(block.inner);
        return { width: inner.width + 2 * PADDING.side, up: inner.up + PADDING.top, down: inner.down + PADDING.bottom };
      }
    }
  }

  /** The branches of a split, each with its extent and the offset of its centre line below the split's. */
  private lanes(block: Extract<Block, { kind: 'split' }>): Array<{ extent: Extent; offset: number }> {
    const lanes: Array<{ extent: Extent; offset: number }> = [];
    for (const branch of block.branches) {
      const extent = branch.body ? this.measure(branch.body) : { width: 0, up: 0, down: 0 };
      const previous = lanes[lanes.length - 1];
      // The first lane is on the split's centre line; the next clears the gateway's lower corner.
      const offset = previous ? previous.offset + Math.max(previous.extent.down, lanes.length === 1 ? HALF_GATEWAY : 0) + LANE_GAP + extent.up : 0;
      lanes.push({ extent, offset });
    }
    return lanes;
  }

  private guardGeometry(block: Extract<Block, { kind: 'guarded' }>) {
    const main = this.measure(block.main);
    const handler = this.measure(block.handler);
    const handlerX = main.width / 2 + GAP;
    return { main, handler, handlerX, mergeX: Math.max(main.width, handlerX + handler.width) + GAP };
  }

  /** The onError path runs below the step and the boundary event sitting on its lower edge. */
  private handlerOffset(block: Extract<Block, { kind: 'guarded' }>): number {
    return this.measure(block.main).down + HALF_EVENT + LANE_GAP + this.measure(block.handler).up;
  }

  place(block: Block, x: number, cy: number): void {
    switch (block.kind) {
      case 'shape':
        this.out.shapes[block.id] = { x, y: cy - block.height / 2, width: block.width, height: block.height };
        return;
      case 'sequence':
        return this.placeSequence(block, x, cy);
      case 'split':
        return this.placeSplit(block, x, cy);
      case 'guarded':
        return this.placeGuarded(block, x, cy);
      case 'container': {
        const { width, up, down } = this.measure(block);
        this.out.shapes[block.id] = { x, y: cy - up, width, height: up + down };
        this.place(block.inner, x + PADDING.side, cy);
      }
    }
  }

  private placeSequence(block: Extract<Block, { kind: 'sequence' }>, x: number, cy: number): void {
    let cursor = x;
    for (const item of block.items) {
      this.place(item, cursor, cy);
      cursor += this.measure(item).width + GAP;
    }
    block.flows.forEach((flow, index) => {
      this.out.edges[flow] = [
        [right(this.shape(exitOf(block.items[index]))), cy],
        [this.shape(entryOf(block.items[index + 1])).x, cy],
      ];
    });
  }

  private placeSplit(block: Extract<Block, { kind: 'split' }>, x: number, cy: number): void {
    this.out.shapes[block.split] = { x, y: cy - HALF_GATEWAY, width: GATEWAY, height: GATEWAY };
    const bodyX = x + GATEWAY + GAP;
    const joinX = bodyX + Math.max(0, ...block.branches.map((branch) => (branch.body ? this.measure(branch.body).width : 0))) + GAP;
    if (block.join) this.out.shapes[block.join] = { x: joinX, y: cy - HALF_GATEWAY, width: GATEWAY, height: GATEWAY };
    const splitX = x + HALF_GATEWAY;
    const joinCenter = joinX + HALF_GATEWAY;
    const below = cy + HALF_GATEWAY;
    this.lanes(block).forEach(({ offset }, index) => {
      const { enter, body, leave } = block.branches[index];
      const lane = cy + offset;
      // The first branch leaves and enters the gateways at their sides, the others at their lower corners.
      const from: Point[] =
        index === 0
          ? [[x + GATEWAY, cy]]
          : [
              [splitX, below],
              [splitX, lane],
            ];
      const into: Point[] =
        index === 0
          ? [[joinX, cy]]
          : [
              [joinCenter, lane],
              [joinCenter, below],
            ];
      if (!body) {
        this.out.edges[enter] = [...from, ...into];
        return;
      }
      this.place(body, bodyX, lane);
      this.out.edges[enter] = [...from, [this.shape(entryOf(body)).x, lane]];
      if (leave) this.out.edges[leave] = [[right(this.shape(exitOf(body))), lane], ...into];
    });
  }

  private placeGuarded(block: Extract<Block, { kind: 'guarded' }>, x: number, cy: number): void {
    this.place(block.main, x, cy);
    const host = this.shape(entryOf(block.main));
    const { handlerX, mergeX } = this.guardGeometry(block);
    const boundaryX = host.x + host.width / 2;
    const boundaryBottom = host.y + host.height + HALF_EVENT;
    this.out.shapes[block.boundary] = { x: boundaryX - HALF_EVENT, y: boundaryBottom - 2 * HALF_EVENT, width: 2 * HALF_EVENT, height: 2 * HALF_EVENT };
    const lane = cy + this.handlerOffset(block);
    this.place(block.handler, x + handlerX, lane);
    this.out.edges[block.enter] = [
      [boundaryX, boundaryBottom],
      [boundaryX, lane],
      [this.shape(entryOf(block.handler)).x, lane],
    ];
    if (!block.merge) return;
    const merge = x + mergeX;
    this.out.shapes[block.merge] = { x: merge, y: cy - HALF_GATEWAY, width: GATEWAY, height: GATEWAY };
    if (block.normal)
      this.out.edges[block.normal] = [
        [right(host), cy],
        [merge, cy],
      ];
    if (block.back) {
      this.out.edges[block.back] = [
        [right(this.shape(exitOf(block.handler))), lane],
        [merge + HALF_GATEWAY, lane],
        [merge + HALF_GATEWAY, cy + HALF_GATEWAY],
      ];
    }
  }

  private shape(id: string): Bounds {
    return this.out.shapes[id];
  }
}

/** The shape a flow into the block arrives at. */
function entryOf(block: Block): string {
  switch (block.kind) {
    case 'shape':
    case 'container':
      return block.id;
    case 'sequence':
      return entryOf(block.items[0]);
    case 'split':
      return block.split;
    case 'guarded':
      return entryOf(block.main);
  }
}

/** The shape a flow out of the block leaves from (only asked of blocks that do not end the process). */
function exitOf(block: Block): string {
  switch (block.kind) {
    case 'shape':
    case 'container':
      return block.id;
    case 'sequence':
      return exitOf(block.items[block.items.length - 1]);
    case 'split':
      return block.join ?? block.split;
    case 'guarded':
      return block.merge ?? exitOf(block.main);
  }
}

function right(bounds: Bounds): number {
  return bounds.x + bounds.width;
}

/** A flow between two shapes drawn elsewhere (a saved diagram): out of the source's side (or bottom), into the target's side. */
export function route(source: Bounds, target: Bounds, fromBottom: boolean): Point[] {
  const targetY = target.y + target.height / 2;
  if (fromBottom) {
    const x = source.x + source.width / 2;
    return [
      [x, source.y + source.height],
      [x, targetY],
      [target.x, targetY],
    ];
  }
  const start: Point = [right(source), source.y + source.height / 2];
  const end: Point = [target.x, targetY];
  if (start[1] === end[1]) return [start, end];
  const middle = Math.round((start[0] + end[0]) / 2);
  return [start, [middle, start[1]], [middle, end[1]], end];
}

/** Whether a saved edge still joins these two shapes (it does not once a step was put between them). */
export function joins(points: Point[], source: Bounds, target: Bounds): boolean {
  const near = ([x, y]: Point, bounds: Bounds) =>
    x >= bounds.x - TOUCH && x <= bounds.x + bounds.width + TOUCH && y >= bounds.y - TOUCH && y <= bounds.y + bounds.height + TOUCH;
  return points.length >= 2 && near(points[0], source) && near(points[points.length - 1], target);
}

const TOUCH = 5;
