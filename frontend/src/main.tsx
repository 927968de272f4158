import { render } from "preact";
import { App } from "./components/App";
import { registerServiceWorker } from "./sw-update";
import "./styles.css";

const root = document.getElementById("app");
if (root) render(<App />, root);

// Only the built app has a service worker: in `vite dev` it would cache the dev server's modules.
if (import.meta.env.PROD) window.addEventListener("load", () => registerServiceWorker());
