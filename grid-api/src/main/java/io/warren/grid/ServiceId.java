package io.warren.grid;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * Names one published service on a broker. A service published with a name has that name as its
 * id (so any client can {@link Grid#lookup(String) look it up}); an unnamed one gets a generated id.
 *
 * @param value letters, digits, {@code .}, {@code _} and {@code -}; 1 to 100 characters (it becomes
 *     part of AMQP queue names, which are limited to 255 bytes)
 */
public record ServiceId(String value) {
  private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  public ServiceId {
    requireNonNull(value, "value == null");
    if (!LEGAL.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "service id must match " + LEGAL.pattern() + ", was '" + value + "'");
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
