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

export interface SignedNoteVectors {
  notes: Array<{ id: string; vkey: string; skey?: string; keyName: string; keyIdHex: string; publicKey: string; text: string; signedNote?: string; signatureLineBase64: string }>;
  negativeCases: Array<{
    desc: string;
    signedNote?: string;
    signedNotes?: string[];
    signedNoteConstruction?: string;
    trusted?: string[];
    vkeys?: string[];
    keyName?: string;
    keyIdHex?: string;
    expect: string;
  }>;
  checkpointFormat: { exampleText: string };
}
