// Renderer entry: mounts the kiosk app on the API object (preload bridge in Electron, WebSocket in a browser).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { kioskApi } from './api';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App api={kioskApi()} />
    </StrictMode>,
  );
}
