package io.warren.amqp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spreads a service's instances over workers in proportion to their slots: instance {@code i} goes
 * to the worker with the lowest fill (instances placed / slots) after placing it, ties going to the
 * worker listed first. Four instances over two workers of two slots each give two per worker.
 */
final class Placement {
  private Placement() {}

  /** Worker id to the instance numbers it hosts, in worker order. */
  static Map<String, List<Integer>> spread(List<Heartbeat> workers, int instances) {
    Map<String, List<Integer>> placed = new LinkedHashMap<>();
    for (Heartbeat worker : workers) {
      placed.put(worker.workerId(), new ArrayList<>());
    }
    for (int number = 0; number < instances; number++) {
      Heartbeat best = null;
      double bestFill = Double.MAX_VALUE;
      for (Heartbeat worker : workers) {
        double fill = (placed.get(worker.workerId()).size() + 1) / (double) Math.max(1, worker.slots());
        if (fill < bestFill) {
          best = worker;
          bestFill = fill;
        }
      }
      placed.get(best.workerId()).add(number);
    }
    placed.values().removeIf(List::isEmpty);
    return placed;
  }
}
