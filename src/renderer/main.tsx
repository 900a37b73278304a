import { render } from 'preact';
import type { Api } from '../shared/ipc.js';
import { App } from './app.js';

declare global {
  interface Window {
    /** Put there by the preload: the window's only way to main. */
    api: Api;
  }
}

const root = document.getElementById('app');
if (root) render(<App api={window.api} />, root);
