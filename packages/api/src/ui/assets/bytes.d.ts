/** Types of bytes.js for the server's TypeScript (the browser script carries its own JSDoc). */
export declare function formatBytes(bytes: number): string;
