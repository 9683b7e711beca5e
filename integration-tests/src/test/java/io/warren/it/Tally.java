package io.warren.it;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The service the end-to-end suites publish: stateful, with slow, failing and async methods. */
public interface Tally {

  /** Which instance answered, and twice {@code x}. */
  Hit hit(int x);

  /** Overload: the same with a long, to prove dispatch is by full signature. */
  Hit hit(long x);

  void set(int value);

  int get();

  /** Appends {@code value} to this instance's log after sleeping {@code millis}; returns the instance token. */
  String appendSlowly(int value, int millis);

  /** This instance's log of appended values. */
  List<Integer> log();

  /** Throws IllegalStateException with {@code why}. */
  String boom(String why);

  CompletableFuture<Integer> squareAsync(int x);

  /** Sleeps {@code millis} and reports when it ran (wall clock, microseconds). */
  Span span(int millis);

  /** Sleeps {@code millis}; must never run twice for one call. */
  @io.warren.grid.NonIdempotent
  String chargeSlowly(int millis);

  /** Waits {@code millis} unless interrupted; an interrupt is recorded in the log as -1. */
  String waitFor(int millis);

  /** Ends the worker JVM: the worst thing service code can do. */
  void exit(int status);

  /** The length of {@code text}: a call whose size the caller picks. */
  int length(String text);

  /** {@code length} characters: a result whose size the caller picks. */
  String text(int length);

  /** A token that differs per instance: each instance is its own copy. */
  String token();

  record Hit(String token, long doubled) {}

  record Span(long startMicros, long endMicros) {}
}
