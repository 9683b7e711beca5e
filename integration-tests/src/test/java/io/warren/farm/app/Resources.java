package io.warren.farm.app;

/** What the worker's class path shows: for checking what a shipment puts there. */
public interface Resources {

  /** Whether the worker's class loader finds the resource {@code name}. */
  boolean visible(String name);
}
