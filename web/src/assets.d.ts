// The stylesheet is imported for the bundler, which emits it as its own hashed file.
declare module '*.css';
