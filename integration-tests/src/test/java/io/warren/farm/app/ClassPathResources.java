package io.warren.farm.app;

/** {@link Resources} as the class loader that loaded the application sees them. */
public final class ClassPathResources implements Resources {
  @Override
  public boolean visible(String name) {
    return ClassPathResources.class.getClassLoader().getResource(name) != null;
  }
}
