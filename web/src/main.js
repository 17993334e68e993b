// Entry point: the stylesheet, the language, then the app.
import './styles.css';
import { restoreLocale } from './lib/i18n.js';
import { App } from './app.js';

restoreLocale();
const root = document.getElementById('app');
if (root) void new App(root).start();
