package io.warren.bench;

/**
 * Warren's gap to raw amqp-client in one case, split in two by a third contender: raw client and
 * server sending Warren's message shape ({@link MessageShape}). {@code shapeToRaw} is what Warren's
 * messages cost (the broker and both ends handle more bytes, properties and headers),
 * {@code warrenToShape} what Warren's own code costs over raw code sending the same messages; the
 * two multiply to {@code warrenToRaw}. Sync cases compare p50 latency (above 1 is slower), pipelined
 * cases the rate (below 1 is slower).
 *
 * <pre>
 * GapSplit.of("pipelined 64 B, 1 inst, prefetch 1", "rate", warren.rate(), shaped.rate(), raw.rate());
 * </pre>
 */
record GapSplit(String what, String measure, double warrenToRaw, double shapeToRaw, double warrenToShape) {

  static GapSplit of(String what, String measure, double warren, double shaped, double raw) {
    return new GapSplit(what, measure, warren / raw, shaped / raw, warren / shaped);
  }
}
