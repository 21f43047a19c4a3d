/** Types for scripts/start.js (used by test/unit/electron/start-script.test.ts). */
export function findElectronBinary(projectRoot?: string): string | undefined;
export const MISSING_BINARY_MESSAGE: string;
