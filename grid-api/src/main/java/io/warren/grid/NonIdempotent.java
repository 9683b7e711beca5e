package io.warren.grid;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a service method that must not run twice. Warren delivers a stateless call at least once:
 * if the worker running it dies, the broker hands the call to another instance. For a method
 * marked {@code @NonIdempotent}, such a redelivered call is not run; the caller gets a {@link
 * RetryRefusedException} instead.
 *
 * <pre>{@code
 * interface Payments {
 *   @NonIdempotent
 *   Receipt charge(String account, long cents);
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface NonIdempotent {}
