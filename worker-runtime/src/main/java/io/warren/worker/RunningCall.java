package io.warren.worker;

import java.util.concurrent.FutureTask;

/**
 * The call an {@link InstanceRunner} is running: at most one per instance. Its fields belong to the
 * instance's loop, except the two volatile ones, which the worker's sweep and a stop read too.
 */
final class RunningCall {
  final InstanceTask.Inbound in;
  final long sequence;
  FutureTask<ServiceObject.Result> task;
  /** Read by the sweep without the loop: a stale false only posts a LongCall that the loop ignores. */
  volatile boolean acked;
  boolean cancelled;
  /**
   * The shared channel's consumer thread that started it and will run it; that channel's later
   * deliveries wait in the client library meanwhile. Null for a call on the call thread.
   */
  Thread sharedConsumer;
  /** The thread running its service code, once started. */
  volatile Thread runner;

  RunningCall(InstanceTask.Inbound in, long sequence) {
    this.in = in;
    this.sequence = sequence;
  }
}
