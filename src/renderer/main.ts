import type { Api } from '../shared/ipc.js';

declare global {
  interface Window {
    api: Api;
  }
}

const root = document.getElementById('app');
if (root) {
  window.api.getAppInfo().then(
    (info) => {
      root.textContent = `${info.name} ${info.version}`;
    },
    () => {
      root.textContent = 'The app could not answer. Restart it from the tray.';
    },
  );
}
