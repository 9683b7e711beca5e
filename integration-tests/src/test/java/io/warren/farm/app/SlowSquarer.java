package io.warren.farm.app;

/** {@link Squarer} that sleeps to stand for work. */
public final class SlowSquarer implements Squarer {
  @Override
  public Result square(long x, int millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    // Set per host through the inventory's jvmOptions: proves they reach the worker JVM.
    String host = System.getProperty("warren.test.host", "?");
    return new Result(x * x, host);
  }
}
