/** The tray icon (a 32×32 ring, generated), inline so the bundle needs no asset files. */
export const TRAY_ICON_DATA_URL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAAAf0lEQVR42u2XbQ4AEAxDHccR3Z4byNaWNWKJv91jn1r7lrQ+5tydMsfHQLKOpSCscwpC5RyCQMUkEIpbUBqqOEI66kxO6zHxpjWjtNlEC79ClBTJdBkAWvMf4B2A60l4tQzLG5FFKy4fRhbjuHwhsVjJLJZSi7Xc4mNi8zV71hYKzH/NcPHKXQAAAABJRU5ErkJggg==';
