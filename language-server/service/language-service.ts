// The recipe language service: pure functions of a document (and a position) that return LSP types. No LSP
// connection here; language-server/server.ts wires these to the protocol, and unit tests call them directly.
// One module per feature, as in yaml-language-server; each feature is a function of (context, document, …).
import type { TextDocument } from "vscode-languageserver-textdocument";
import type {
  CodeAction,
  CompletionList,
  Diagnostic,
  DocumentLink,
  DocumentSymbol,
  FoldingRange,
  FormattingOptions,
  Hover,
  Location,
  Position,
  Range,
  TextEdit,
  WorkspaceEdit,
} from "vscode-languageserver-types";
import type { WorldHost } from "../world/world-host";
import { RecipeDocuments, type RecipeDocumentsOptions } from "./recipe/document";
import { doValidation } from "./validation/validation";
import { doComplete } from "./completion/completion";
import { doHover } from "./hover/hover";
import { findDocumentSymbols } from "./navigation/symbols";
import { getFoldingRanges } from "./navigation/folding";
import { findDocumentLinks } from "./navigation/links";
import { findDefinition } from "./navigation/definition";
import { doRename, prepareRename } from "./navigation/rename";
import { getCodeActions } from "./actions/code-actions";
import { format } from "./actions/formatting";
import type { ServiceContext } from "./service-context";

export interface LanguageService {
  doValidation(document: TextDocument): Promise<Diagnostic[]>;
  doComplete(document: TextDocument, position: Position): Promise<CompletionList>;
  doHover(document: TextDocument, position: Position): Promise<Hover | null>;
  findDocumentSymbols(document: TextDocument): DocumentSymbol[];
  getFoldingRanges(document: TextDocument): FoldingRange[];
  findDocumentLinks(document: TextDocument): DocumentLink[];
  findDefinition(document: TextDocument, position: Position): Promise<Location[]>;
  prepareRename(document: TextDocument, position: Position): Range | null;
  doRename(document: TextDocument, position: Position, newName: string): WorkspaceEdit | null;
  getCodeActions(document: TextDocument, range: Range, diagnostics: Diagnostic[]): CodeAction[];
  format(document: TextDocument, options: FormattingOptions): TextEdit[];
  /** Forget a closed document's analysis. */
  forget(uri: string): void;
}

/** The service's settings; the object is read at each use, so a caller may change it later (after `initialize`). */
export type LanguageServiceOptions = RecipeDocumentsOptions;

export function createLanguageService(world: WorldHost, options: LanguageServiceOptions = {}): LanguageService {
  const context: ServiceContext = { world, documents: new RecipeDocuments(options) };
  return {
    doValidation: (d) => doValidation(context, d),
    doComplete: (d, p) => doComplete(context, d, p),
    doHover: (d, p) => doHover(context, d, p),
    findDocumentSymbols: (d) => findDocumentSymbols(context, d),
    getFoldingRanges: (d) => getFoldingRanges(context, d),
    findDocumentLinks: (d) => findDocumentLinks(context, d),
    findDefinition: (d, p) => findDefinition(context, d, p),
    prepareRename: (d, p) => prepareRename(context, d, p),
    doRename: (d, p, n) => doRename(context, d, p, n),
    getCodeActions: (d, r, diags) => getCodeActions(context, d, r, diags),
    format: (d, o) => format(context, d, o),
    forget: (uri) => context.documents.forget(uri),
  };
}
