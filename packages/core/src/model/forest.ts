/**
 * A forest: boosted trees over any inputs, for what main and pair tables cannot hold (interactions
 * of three and more inputs). Its log-odds are split exactly among the inputs by path attribution:
 * each split moves the row from a node's value to its child's, and that step is credited to the
 * input split on, so a row's credits plus the roots' values are the trees' sum, with nothing left
 * over (Saabas 2014; the contributions XGBoost's `pred_contribs` gives with `approx_contribs`).
 *
 * Trees read ordered codes: a numeric input's bin, a categorical input's bin placed in the forest's
 * order of its levels (`orders`), so every split is a threshold, as ONNX's TreeEnsemble wants. Bin
 * 0 (blank) is no position: each split sends it the side it learned.
 */
export interface ForestTree {
  /** Per node (0 is the root): the input it splits, or -1 for a leaf. */
  input: number[];
  /** Ordered codes 1…at go left; the rest right. */
  at: number[];
  /** 1 where a blank goes left. */
  blankLeft: number[];
  left: number[];
  right: number[];
  /** The node's log-odds value (its Newton step): the leaf's is what the tree adds to the row. */
  value: number[];
}

export interface Forest {
  /** Per categorical input the trees split ("3": [0, 2, 1, …]): each bin's position, 1…, in the forest's order; bin 0 stays 0. */
  orders: Record<string, number[]>;
  trees: ForestTree[];
}

/** A row's ordered code of input `f` from its bin. */
export function orderedCode(forest: Forest, f: number, bin: number): number {
  const order = forest.orders[f];
  return order ? order[bin]! : bin;
}

/**
 * Adds the row's credit of every input to `credits[input]` (the row's bins in `bins`) and returns
 * the sum of the trees' root values, which the credits are relative to.
 */
export function creditForest(forest: Forest, bins: ArrayLike<number>, credits: Float64Array): number {
  let roots = 0;
  for (const tree of forest.trees) {
    roots += tree.value[0]!;
    let node = 0;
    for (let f = tree.input[0]!; f >= 0; f = tree.input[node]!) {
      const code = orderedCode(forest, f, bins[f]!);
      const next = (code === 0 ? tree.blankLeft[node] === 1 : code <= tree.at[node]!)
        ? tree.left[node]!
        : tree.right[node]!;
      credits[f]! += tree.value[next]! - tree.value[node]!;
      node = next;
    }
  }
  return roots;
}

/** The inputs any tree of the forest splits, ascending. */
export function forestInputs(forest: Forest): number[] {
  const read = new Set<number>();
  for (const tree of forest.trees) for (const f of tree.input) if (f >= 0) read.add(f);
  return [...read].sort((a, b) => a - b);
}
