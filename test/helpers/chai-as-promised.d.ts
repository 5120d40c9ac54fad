declare module "chai-as-promised" {
  const chaiAsPromised: Chai.ChaiPlugin;
  export default chaiAsPromised;
}
