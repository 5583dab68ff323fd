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

/**
 * A route module's registration, `(deps) => (app) => …`: what its routes share made once from its dependencies,
 * then each of its routes registered in order: `export const registerHuntRoutes = routeModule(huntRoutesShared,
 * [postHunts, getHunts])`.
 */
export const routeModule =
  <App, Deps, Shared>(shared: (deps: Deps) => Shared, routes: ReadonlyArray<ModuleRoute<App, Deps, Shared>>) =>
  (deps: Deps) =>
  (app: App) =>
    registerEach(app, deps, shared(deps), routes);
