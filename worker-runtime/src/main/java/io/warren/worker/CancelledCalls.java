package io.warren.worker;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ids of calls their callers cancelled, so an instance skips them when they arrive. Bounded: the
 * oldest ids are forgotten first (a cancelled call is delivered soon or never).
 */
final class CancelledCalls {
  private static final int CAPACITY = 10_000;

  private final Map<String, Boolean> ids = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > CAPACITY;
    }
  };

  synchronized void add(String callId) {
    ids.put(callId, Boolean.TRUE);
  }

  synchronized boolean contains(String callId) {
    return callId != null && ids.containsKey(callId);
  }
}
