import type { ForestTree } from "../../model/forest.ts";
import type { BinCodes } from "./binning.ts";
import type { Layout } from "./histogram.ts";
import { fillHistogram, newHistogram, subtractHistogram } from "./histogram.ts";
import type { Split, SplitRule } from "./split.ts";
import { bestSplit, nodeTotals } from "./split.ts";

export interface TreeRule extends SplitRule {
  /** Leaves of one tree, grown best-first (scikit-learn's max_leaf_nodes). */
  maxLeaves: number;
  learningRate: number;
}

/** The rows one tree is grown on: codes per input, gradients and hessians, all by position. */
export interface TreeRows {
  layout: Layout;
  codes: readonly BinCodes[];
  /** 1 where the input is numeric (ordered bins, blank in bin 0). */
  ordered: Uint8Array;
  grad: Float64Array;
  hess: Float64Array;
}

/**
 * A tree that reads at most two inputs, compiled into a lookup table over their bins: one term of
 * an additive model. `inputs` ascending; `table` row-major over `bins(inputs[0]) x bins(inputs[1])`.
 */
export interface GrownTree {
  inputs: [number] | [number, number];
  table: Float64Array;
}

/**
 * Which inputs a node of a tree may split on, given the inputs the tree reads so far. The tree's
 * first input may be any input; `partners(a)` lists the inputs it may pair with (none: the tree
 * stays on one input); once it reads two, only those two.
 */
export type Partners = (first: number) => readonly number[];

interface Node {
  /** Position in the tree's nodes, in the order they were made (the root is 0). */
  id: number;
  /** Positions of its rows; null for every row (the root). */
  rows: Int32Array | null;
  hist: Float64Array;
  total: { g: number; h: number; c: number };
  /** Bins of each input the path to this node restricts (absent: every bin). */
  masks: Map<number, Uint8Array>;
  best: Split | null;
}

/** A split made while growing: `node` went to `left` and `right` (node ids) on `split`. */
interface Made {
  node: Node;
  split: Split;
  left: Node;
  right: Node;
}

/**
 * Grows one best-first tree from `rootHist` (the histogram of every row over every input), at most
 * two inputs per tree (an interaction constraint, as XGBoost's interaction_constraints), adds its
 * leaf values to `logits` and returns it as a table. Null when no split gains: the boosting has
 * nothing left to learn from these gradients.
 */
export function growTree(
  rows: TreeRows,
  rootHist: Float64Array,
  allInputs: readonly number[],
  partners: Partners,
  rule: TreeRule,
  logits: Float64Array,
): GrownTree | null {
  const allowed = (read: readonly number[]) =>
    read.length === 0 ? allInputs : read.length === 2 ? read : [read[0]!, ...partners(read[0]!)];
  const grown = growLeaves(rows, rootHist, allInputs, allowed, rule);
  return grown && compile(grown.leaves, grown.read, rows, rule, logits);
}

/**
 * Grows one best-first tree over any of `inputs` (each node reads whichever gains most) and adds
 * its leaf values to `logits`: a tree of the forest stage, kept as its nodes (model/forest.ts).
 * Every input must be ordered (numbers, or levels in the forest's order), so each split is a threshold.
 */
export function growForestTree(
  rows: TreeRows,
  rootHist: Float64Array,
  inputs: readonly number[],
  rule: TreeRule,
  logits: Float64Array,
): ForestTree | null {
  const grown = growLeaves(rows, rootHist, inputs, () => inputs, rule);
  if (!grown) return null;
  const count = 1 + 2 * grown.made.length;
  const tree: ForestTree = {
    input: new Array(count).fill(-1),
    at: new Array(count).fill(0),
    blankLeft: new Array(count).fill(0),
    left: new Array(count).fill(0),
    right: new Array(count).fill(0),
    value: new Array(count).fill(0),
  };
  const leafValue = (node: Node) => (-rule.learningRate * node.total.g) / (node.total.h + rule.l2);
  tree.value[0] = leafValue(grown.made[0]!.node);
  for (const { node, split, left, right } of grown.made) {
    tree.input[node.id] = split.input;
    tree.at[node.id] = Math.max(split.left.lastIndexOf(1), 0);
    tree.blankLeft[node.id] = split.left[0]!;
    tree.left[node.id] = left.id;
    tree.right[node.id] = right.id;
    tree.value[left.id] = leafValue(left);
    tree.value[right.id] = leafValue(right);
  }
  for (const leaf of grown.leaves) {
    const ids = leaf.rows;
    if (ids) for (let k = 0; k < ids.length; k++) logits[ids[k]!]! += tree.value[leaf.id]!;
  }
  // Leaves that kept no rows (a forest of one input) step every row through the tree instead.
  if (grown.leaves.some((leaf) => leaf.rows === null)) forestTreeStep(tree, rows.codes, logits);
  return tree;
}

/** Adds a forest tree's leaf value to the logits of every row `codes` (ordered codes, by position) hold. */
export function forestTreeStep(
  tree: ForestTree,
  codes: readonly BinCodes[],
  logits: Float64Array,
  sign: 1 | -1 = 1,
): void {
  for (let k = 0; k < logits.length; k++) {
    let node = 0;
    for (let f = tree.input[0]!; f >= 0; f = tree.input[node]!) {
      const code = codes[f]![k]!;
      node = (code === 0 ? tree.blankLeft[node] === 1 : code <= tree.at[node]!) ? tree.left[node]! : tree.right[node]!;
    }
    logits[k]! += sign * tree.value[node]!;
  }
}

/**
 * The best-first growth both kinds of tree share: the leaf of largest gain is split until
 * `maxLeaves`; `allowed(read)` is the inputs a node may split once the tree reads `read`. Splits
 * planned on an input no longer allowed (the tree reached its limit of inputs) are planned again.
 */
function growLeaves(
  rows: TreeRows,
  rootHist: Float64Array,
  allInputs: readonly number[],
  allowed: (read: readonly number[]) => readonly number[],
  rule: TreeRule,
): { leaves: Node[]; read: number[]; made: Made[] } | null {
  const read: number[] = [];
  const hists = new Histograms(rows.layout);
  const root: Node = {
    id: 0,
    rows: null,
    hist: rootHist,
    total: nodeTotals(rootHist, rows.layout, allInputs[0]!),
    masks: new Map(),
    best: null,
  };
  root.best = bestOf(root, allowed(read), rows, rule);
  if (!root.best) return null;
  const leaves: Node[] = [root];
  const made: Made[] = [];
  while (leaves.length < rule.maxLeaves) {
    let pick = -1;
    for (let k = 0; k < leaves.length; k++)
      if (leaves[k]!.best && (pick < 0 || leaves[k]!.best!.gain > leaves[pick]!.best!.gain)) pick = k;
    if (pick < 0) break;
    const node = leaves[pick]!;
    const split = node.best!;
    const widened = !read.includes(split.input);
    if (widened) read.push(split.input);
    const inputs = allowed(read);
    const [left, right] = splitNode(node, rows, inputs, hists, 1 + 2 * made.length);
    made.push({ node, split, left, right });
    leaves.splice(pick, 1, left, right);
    left.best = bestOf(left, inputs, rows, rule);
    right.best = bestOf(right, inputs, rows, rule);
    if (widened)
      for (const leaf of leaves)
        if (leaf.best && !inputs.includes(leaf.best.input)) leaf.best = bestOf(leaf, inputs, rows, rule);
  }
  hists.releaseAll();
  return { leaves, read, made };
}

/**
 * The histograms of one tree's nodes, taken from and given back to a pool per layout: a tree
 * needs up to 2 x maxLeaves of them and a fit grows thousands of trees, which would otherwise
 * spend a tenth of the fit collecting garbage (measured on a 57-input table).
 */
class Histograms {
  private static readonly spare = new Map<number, Float64Array[]>();
  private readonly taken: Float64Array[] = [];
  private readonly pool: Float64Array[];

  constructor(private readonly layout: Layout) {
    const size = 3 * layout.totalBins;
    // One fit's size at a time: a long-lived thread training many tables keeps no old pool.
    if (!Histograms.spare.has(size)) {
      Histograms.spare.clear();
      Histograms.spare.set(size, []);
    }
    this.pool = Histograms.spare.get(size)!;
  }

  take(): Float64Array {
    const hist = this.pool.pop()?.fill(0) ?? newHistogram(this.layout);
    this.taken.push(hist);
    return hist;
  }

  releaseAll(): void {
    this.pool.push(...this.taken.splice(0));
  }
}

function bestOf(node: Node, inputs: readonly number[], rows: TreeRows, rule: TreeRule): Split | null {
  let best: Split | null = null;
  for (const f of inputs) {
    const split = bestSplit(node.hist, rows.layout, f, rows.ordered[f] === 1, rule, node.total);
    if (split && (!best || split.gain > best.gain)) best = split;
  }
  return best;
}

/**
 * The two children: the smaller one's histogram from its rows, the larger one's by subtraction. A
 * tree that may read only the input it splits needs no rows at all: each child's histogram is its
 * parent's on that input's bins that go its way (the main-effect stage never touches a row here).
 */
function splitNode(node: Node, rows: TreeRows, inputs: readonly number[], hists: Histograms, id: number): [Node, Node] {
  const { input, left: goesLeft } = node.best!;
  if (node.rows === null && inputs.length === 1)
    return [
      maskedChild(node, rows.layout, input, goesLeft, 1, hists.take(), id),
      maskedChild(node, rows.layout, input, goesLeft, 0, hists.take(), id + 1),
    ];
  const codes = rows.codes[input]!;
  const count = node.rows ? node.rows.length : codes.length;
  const leftRows = new Int32Array(count);
  const rightRows = new Int32Array(count);
  let nl = 0;
  let nr = 0;
  for (let k = 0; k < count; k++) {
    const r = node.rows ? node.rows[k]! : k;
    if (goesLeft[codes[r]!]) leftRows[nl++] = r;
    else rightRows[nr++] = r;
  }
  const child = (ids: Int32Array, side: 1 | 0): Node => {
    const masks = new Map(node.masks);
    const parent = masks.get(input);
    masks.set(
      input,
      goesLeft.map((l, b) => (l === side && (!parent || parent[b]) ? 1 : 0)),
    );
    return { id: id + 1 - side, rows: ids, hist: hists.take(), total: { g: 0, h: 0, c: 0 }, masks, best: null };
  };
  const left = child(leftRows.subarray(0, nl), 1);
  const right = child(rightRows.subarray(0, nr), 0);
  const [small, large] = nl <= nr ? [left, right] : [right, left];
  fillHistogram(small.hist, rows.layout, rows.codes, inputs, small.rows, rows.grad, rows.hess);
  subtractHistogram(large.hist, node.hist, small.hist, rows.layout, inputs);
  small.total = nodeTotals(small.hist, rows.layout, inputs[0]!);
  large.total = { g: node.total.g - small.total.g, h: node.total.h - small.total.h, c: node.total.c - small.total.c };
  return [left, right];
}

function maskedChild(
  node: Node,
  layout: Layout,
  input: number,
  goesLeft: Uint8Array,
  side: 1 | 0,
  hist: Float64Array,
  id: number,
): Node {
  const parent = node.masks.get(input);
  const mask = goesLeft.map((l, b) => (l === side && (!parent || parent[b]) ? 1 : 0));
  const base = 3 * layout.offsets[input]!;
  for (let b = 0; b < mask.length; b++)
    if (mask[b]) for (let k = 0; k < 3; k++) hist[base + 3 * b + k] = node.hist[base + 3 * b + k]!;
  return { id, rows: null, hist, total: nodeTotals(hist, layout, input), masks: new Map([[input, mask]]), best: null };
}

/** Leaf values (Newton steps times the learning rate) into `logits` and into the tree's table. */
function compile(leaves: Node[], read: number[], rows: TreeRows, rule: TreeRule, logits: Float64Array): GrownTree {
  const inputs = [...read].sort((a, b) => a - b) as [number] | [number, number];
  const bins = inputs.map((f) => rows.layout.bins[f]!);
  const cols = bins[1] ?? 1;
  const table = new Float64Array(bins[0]! * cols);
  const every = (n: number) => new Uint8Array(n).fill(1);
  for (const leaf of leaves) {
    const value = (-rule.learningRate * leaf.total.g) / (leaf.total.h + rule.l2);
    const ids = leaf.rows;
    if (ids) for (let k = 0; k < ids.length; k++) logits[ids[k]!]! += value;
    const first = leaf.masks.get(inputs[0]) ?? every(bins[0]!);
    const second = inputs.length === 2 ? (leaf.masks.get(inputs[1]) ?? every(cols)) : every(1);
    for (let a = 0; a < bins[0]!; a++) {
      if (!first[a]) continue;
      for (let b = 0; b < cols; b++) if (second[b]) table[a * cols + b] = value;
    }
  }
  // Leaves that kept no rows (a one-input tree) step every row through the table instead.
  if (leaves.some((leaf) => leaf.rows === null)) {
    const codes = rows.codes[inputs[0]]!;
    for (let r = 0; r < codes.length; r++) logits[r]! += table[codes[r]!]!;
  }
  return { inputs, table };
}
