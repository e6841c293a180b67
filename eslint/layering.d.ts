export declare const SERVER_SRC: string;
export declare const ARCHITECTURE_DOC: string;
export declare const COMPOSITION: string;
export interface Layer {
  folder: string;
  floor: number;
  mayImport: string[];
}
export declare function readLayers(markdown?: string): Layer[];
export declare function layeringZones(layers?: Layer[]): { target: string; from: string[]; message: string }[];
