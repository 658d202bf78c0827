export { min as default } from './lodash.js';
