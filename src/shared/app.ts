/** The app's name: the package's productName, the userData folder name and the CLI's name. */
export const PRODUCT_NAME = 'vault-aws-tray';
