/**
 * One route of a route module: it registers itself on the app with the module's dependencies and what the module's
 * routes share (guards, route families, helpers made once per registration).
 */
export type ModuleRoute<App, Deps, Shared> = (app: App, deps: Deps, shared: Shared) => void;

/** Registers each of a module's routes, in order (the order of the OpenAPI document). */
export function registerEach<App, Deps, Shared>(
  app: App,
  deps: Deps,
  shared: Shared,
  routes: ReadonlyArray<ModuleRoute<App, Deps, Shared>>,
): void {
  for (const route of routes) route(app, deps, shared);
}
