export declare const unavailable: true;
