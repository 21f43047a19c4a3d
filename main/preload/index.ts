/**
 * The preload: bundled into one CommonJS file (dist/preload/index.cjs) because
 * a sandboxed preload can neither be an ES module nor require local files.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { buildTokenDeskApi } from './api.js';

contextBridge.exposeInMainWorld('tokendesk', buildTokenDeskApi(ipcRenderer));
