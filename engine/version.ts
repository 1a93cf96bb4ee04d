// The engine's version: part of every report and of every cache key.
export const ENGINE_VERSION = "0.1.0";
