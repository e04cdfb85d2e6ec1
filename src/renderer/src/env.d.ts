import type { CalmlineApi } from '../../shared/api';

declare global {
  interface Window {
    /**
     * Installed by the host (Electron preload or the web bridge) before the renderer
     * runs. Typed optional because a broken or missing host must not crash the UI.
     */
    calmline?: CalmlineApi;
  }
}

export {};
