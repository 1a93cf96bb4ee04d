// How many slice colours the timeline's palette has (the worker picks a rectangle's colour index; theme.ts fills
// the palette from VS Code's chart colours). Its own file so the worker does not bundle the DOM-side theme code.
export const PALETTE_SIZE = 10;
