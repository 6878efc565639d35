import { inclusionPlan, consistencyPlan, leafHash, MemoryNodeSource, type NodeId } from '@vigil/merkle';
import { combine, isStoredLevel, storedCover } from './node-strata';

// The stratified store must give exactly the hashes a full store gives, for every node any
// proof of a tree of up to 100 leaves asks for.
describe('node strata (levels 0, 4, 8, ... stored)', () => {
  const full = new MemoryNodeSource();
  for (let i = 0; i < 100; i++) full.append(leafHash(Buffer.from(`leaf ${i}`)));
  const get = (ids: NodeId[]) => full.getNodes(ids) as Buffer[];

  it('covers a node by itself when its level is stored, else by 2..8 stored descendants', () => {
    expect(storedCover({ level: 4, index: 3 })).toEqual([{ level: 4, index: 3 }]);
    expect(storedCover({ level: 1, index: 5 })).toEqual([{ level: 0, index: 10 }, { level: 0, index: 11 }]);
    expect(storedCover({ level: 7, index: 1 })).toHaveLength(8);
    expect(storedCover({ level: 7, index: 1 })[0]).toEqual({ level: 4, index: 8 });
    expect([0, 4, 8, 60].every(isStoredLevel)).toBe(true);
    expect([1, 2, 3, 5, 7].some(isStoredLevel)).toBe(false);
  });

  it('recomputes every node of every proof plan from stored levels only', () => {
    for (let size = 1; size <= 100; size++) {
      const ids = [...Array.from({ length: size }, (_, i) => inclusionPlan(i, size).nodes).flat(), ...Array.from({ length: size - 1 }, (_, m) => consistencyPlan(m + 1, size).nodes).flat()];
      for (const id of ids) {
        const cover = storedCover(id);
        expect(cover.every((c) => isStoredLevel(c.level))).toBe(true);
        expect(combine(get(cover)).equals(get([id])[0]!)).toBe(true);
      }
    }
  });
});
