/** Sentences about the model for the panel's notes (pure). */

/** What the last layer does: one sigmoid probability for two classes, a softmax over N classes otherwise. */
export function denseNote(outputs: number): string {
  return outputs === 1
    ? 'the Dense layer turns the flattened features into one probability (sigmoid: of the second class).'
    : `the Dense layer turns the flattened features into ${outputs} probabilities, one per class, that sum to 1 (softmax).`;
}
