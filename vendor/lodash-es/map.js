export { map as default } from './lodash.js';
