// What every feature of the language service receives: the world, and the cache of analysed documents. A leaf of
// the service's imports (types only, nothing from the features), so features and language-service.ts can both use
// it without an import cycle.
import type { WorldHost } from "../world/world-host";
import type { RecipeDocuments } from "./recipe/document";

/** What every feature receives: the world, and the cache of analysed documents. */
export interface ServiceContext {
  world: WorldHost;
  documents: RecipeDocuments;
}
