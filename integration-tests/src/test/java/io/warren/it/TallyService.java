package io.warren.it;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** The published implementation of {@link Tally}. */
public final class TallyService implements Tally {
  /** Not part of the state: every instance draws its own. */
  private final transient String token = UUID.randomUUID().toString();
  private int value;
  private final List<Integer> log = new ArrayList<>();

  public TallyService() {}

  public TallyService(int value) {
    this.value = value;
  }

  @Override
  public Hit hit(int x) {
    return new Hit(token, 2L * x);
  }

  @Override
  public Hit hit(long x) {
    return new Hit(token, 2 * x + 1);
  }

  @Override
  public void set(int value) {
    this.value = value;
  }

  @Override
  public int get() {
    return value;
  }

  @Override
  public String appendSlowly(int value, int millis) {
    sleep(millis);
    log.add(value);
    return token;
  }

  @Override
  public List<Integer> log() {
    return List.copyOf(log);
  }

  @Override
  public String boom(String why) {
    throw new IllegalStateException(why);
  }

  @Override
  public CompletableFuture<Integer> squareAsync(int x) {
    return CompletableFuture.supplyAsync(() -> x * x);
  }

  @Override
  public Span span(int millis) {
    long start = micros();
    sleep(millis);
    return new Span(start, micros());
  }

  @Override
  public String chargeSlowly(int millis) {
    sleep(millis);
    return token;
  }

  @Override
  public String waitFor(int millis) {
    try {
      Thread.sleep(millis);
      return "slept";
    } catch (InterruptedException e) {
      log.add(-1);
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  @Override
  public void exit(int status) {
    System.exit(status);
  }

  @Override
  public int length(String text) {
    return text.length();
  }

  @Override
  public String text(int length) {
    return "x".repeat(length);
  }

  @Override
  public String token() {
    return token;
  }

  private static long micros() {
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
  }

  private static void sleep(int millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
