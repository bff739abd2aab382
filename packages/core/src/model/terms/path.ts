import type { GraphBuilder } from "../../onnx/graph.ts";
import { onnx } from "../../onnx/proto.ts";
import type { Forest } from "../forest.ts";
import { forestInputs } from "../forest.ts";
import type { PathTerm } from "../term-model.ts";

/**
 * ONNX for a model's path terms: one `TreeEnsembleRegressor` (ai.onnx.ml opset 3) whose targets
 * are the path terms, in term order. Each leaf votes, per input on its path, the credit the path
 * gives that input (model/forest.ts), and each target's base value is minus its term's shift, so
 * target k is term k's contribution. Thresholds, votes and base values are double tensors
 * (`*_as_tensor`), so onnxruntime sums the votes in float64 and rounds once to the float32 output:
 * the same number as the TypeScript scorer to float32 precision.
 *
 * Features are the forest's ordered codes, float64 [N,K] over the inputs it splits: the bin, or the
 * level's place in `orders`; NaN for a blank, which `nodes_missing_value_tracks_true` sends left
 * where the split learned so. Returns the [N,P] output's name.
 */
export function exportForest(
  graph: GraphBuilder,
  forest: Forest,
  terms: readonly PathTerm[],
  binNames: readonly string[],
): string {
  const inputs = forestInputs(forest);
  const { DOUBLE } = onnx.TensorProto.DataType;
  const blank = graph.scalar("forest/blank", Number.NaN, "double");
  const zero = graph.scalar("forest/zero", 0, "int64");
  const axes = graph.tensor("forest/axes", [1], [1], "int64");
  const columns = inputs.map((f) => {
    const p = `forest/input${f}`;
    const order = forest.orders[f];
    const code = order
      ? graph.node(
          "Gather",
          [graph.tensor(`${p}/order`, [order.length], order, "int64"), binNames[f]!],
          [`${p}/ordered`],
          { axis: 0 },
        )
      : binNames[f]!;
    const value = graph.node("Cast", [code], [`${p}/value`], { to: DOUBLE });
    const isBlank = graph.node("Equal", [binNames[f]!, zero], [`${p}/is_blank`]);
    const feature = graph.node("Where", [isBlank, blank, value], [`${p}/feature`]);
    return graph.node("Unsqueeze", [feature, axes], [`${p}/column`]);
  });
  const features = graph.node("Concat", columns, ["forest/features"], { axis: 1 });
  const feature = new Map(inputs.map((f, k) => [f, k]));
  const target = new Map(terms.map((term, k) => [term.inputs[0], k]));
  const nodes = {
    treeids: [] as number[],
    nodeids: [] as number[],
    featureids: [] as number[],
    modes: [] as string[],
    values: [] as number[],
    truenodeids: [] as number[],
    falsenodeids: [] as number[],
    missing: [] as number[],
  };
  const votes = { treeids: [] as number[], nodeids: [] as number[], ids: [] as number[], weights: [] as number[] };
  forest.trees.forEach((tree, t) => {
    // Credits gathered down every path: credit[n] is input -> credit on the way to node n.
    const credit: Array<Map<number, number>> = [new Map()];
    for (let n = 0; n < tree.input.length; n++) {
      const f = tree.input[n]!;
      const leaf = f < 0;
      nodes.treeids.push(t);
      nodes.nodeids.push(n);
      nodes.featureids.push(leaf ? 0 : feature.get(f)!);
      nodes.modes.push(leaf ? "LEAF" : "BRANCH_LEQ");
      // Ordered codes are whole numbers: `code <= at` is `code <= at + 0.5` without rounding doubt.
      nodes.values.push(leaf ? 0 : tree.at[n]! + 0.5);
      nodes.truenodeids.push(leaf ? 0 : tree.left[n]!);
      nodes.falsenodeids.push(leaf ? 0 : tree.right[n]!);
      nodes.missing.push(leaf ? 0 : tree.blankLeft[n]!);
      if (leaf) {
        // onnxruntime adds a target's base value only when some leaf voted for it on that row, so
        // the first tree's leaves vote for every target, 0 where the path credits nothing.
        for (const [input, k] of target) {
          const c = credit[n]!.get(input);
          if (c !== undefined || t === 0) {
            votes.treeids.push(t);
            votes.nodeids.push(n);
            votes.ids.push(k);
            votes.weights.push(c ?? 0);
          }
        }
        continue;
      }
      for (const child of [tree.left[n]!, tree.right[n]!]) {
        const into = new Map(credit[n]!);
        into.set(f, (into.get(f) ?? 0) + tree.value[child]! - tree.value[n]!);
        credit[child] = into;
      }
    }
  });
  return graph.node(
    "TreeEnsembleRegressor",
    [features],
    ["forest/credits"],
    {
      n_targets: terms.length,
      aggregate_function: "SUM",
      post_transform: "NONE",
      nodes_treeids: { ints: nodes.treeids },
      nodes_nodeids: { ints: nodes.nodeids },
      nodes_featureids: { ints: nodes.featureids },
      nodes_modes: nodes.modes,
      nodes_values_as_tensor: { doubles: nodes.values },
      nodes_truenodeids: { ints: nodes.truenodeids },
      nodes_falsenodeids: { ints: nodes.falsenodeids },
      nodes_missing_value_tracks_true: { ints: nodes.missing },
      target_treeids: { ints: votes.treeids },
      target_nodeids: { ints: votes.nodeids },
      target_ids: { ints: votes.ids },
      target_weights_as_tensor: { doubles: votes.weights },
      base_values_as_tensor: { doubles: terms.map((term) => -term.shift) },
    },
    "ai.onnx.ml",
  );
}

/** A path term's [N] contribution: its column of the forest's output. */
export function exportPath(graph: GraphBuilder, credits: string, column: number, prefix: string): string {
  return graph.node(
    "Gather",
    [credits, graph.scalar(`${prefix}/forest_column`, column, "int64")],
    [`${prefix}/contribution`],
    { axis: 1 },
  );
}
