// Shapes of the vector files this library reads (see /work/shared/vectors/README.md).

export interface HasherKat {
  cases: Array<{ desc: string; kind: 'emptyRoot' | 'leaf' | 'node'; input?: string; left?: string; right?: string; want: string }>;
}

export interface ReferenceTree {
  leafInputs: string[];
  leafHashes: string[];
  rootsBySize: Record<string, string>;
  nodeHashes: { levels: string[][] };
  compactRangesBySize: Record<string, string[] | string>;
}

export interface InclusionKat {
  cases: Array<{ leafIndex: number; treeSize: number; leafInput: string; leafHash: string; root: string; proof: string[]; valid: boolean }>;
}

export interface ConsistencyKat {
  cases: Array<{ size1: number; size2: number; root1: string; root2: string; proof: string[]; valid: boolean }>;
}

export interface InclusionProbes {
  conventions: Record<string, string>;
  probes: Array<{ file: string; desc: string; leafIndex: number; treeSize: number; leafHash: string; root: string; proof: string[]; wantErr: boolean }>;
}

export interface ConsistencyProbes {
  conventions: Record<string, string>;
  probes: Array<{ file: string; desc: string; size1: number; size2: number; root1: string; root2: string; proof: string[]; wantErr: boolean }>;
}
