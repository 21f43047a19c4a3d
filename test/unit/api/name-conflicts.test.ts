/** Issue 13 item 6 (core): a taken name is flagged before Save, with a suggestion that is really free. */
import { describe, expect, it } from 'vitest';
import { nameConflicts } from '../../../main/core/api/account-handlers.js';

describe('nameConflicts', () => {
  it('suggests the first NAME (n), n >= 2, free both in the vault and in the text', () => {
    const vault = new Set(['myfiber production', 'myfiber production (2)', 'other']);
    const text = [
      { index: 0, name: 'myfiber production' },
      { index: 1, name: 'myfiber production (3)' },
      { index: 2, name: 'new one' },
    ];
    expect(nameConflicts(text, vault)).toEqual([{ index: 0, name: 'myfiber production', suggestion: 'myfiber production (4)' }]);
  });

  it('flags nothing when no name is taken, and gives each taken name its own suggestion', () => {
    expect(nameConflicts([{ index: 0, name: 'a' }], new Set(['b']))).toEqual([]);
    expect(nameConflicts([{ index: 0, name: 'a' }, { index: 3, name: 'b' }], new Set(['a', 'b']))).toEqual([
      { index: 0, name: 'a', suggestion: 'a (2)' },
      { index: 3, name: 'b', suggestion: 'b (2)' },
    ]);
  });
});
