// SPDX-License-Identifier: MIT
// A minimal ERC-20 for the Ethereum adapter's tests only: anyone may mint.
// Besides the standard interface it has two test hooks: splitTransfer sends
// several payments in one transaction (several Transfer logs), and
// transferThenRevert emits a Transfer and then reverts, so the tests can
// check that logs of a failed transaction are never counted.
// Compiled by scripts/token.sh; Token.abi and Token.bin are committed.
pragma solidity 0.8.37;

contract Token {
    string public name;
    string public symbol;
    uint8 public immutable decimals;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory name_, string memory symbol_, uint8 decimals_) {
        name = name_;
        symbol = symbol_;
        decimals = decimals_;
    }

    function mint(address to, uint256 value) external {
        require(to != address(0), "mint to the zero address");
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= value, "allowance exceeded");
            allowance[from][msg.sender] = allowed - value;
        }
        _transfer(from, to, value);
        return true;
    }

    // splitTransfer pays values[i] to tos[i], one Transfer log each.
    function splitTransfer(address[] calldata tos, uint256[] calldata values) external returns (bool) {
        require(tos.length == values.length, "length mismatch");
        for (uint256 i = 0; i < tos.length; i++) {
            _transfer(msg.sender, tos[i], values[i]);
        }
        return true;
    }

    // transferThenRevert makes a real transfer, emitting its log, then
    // reverts the whole transaction: the receipt has status 0 and no logs.
    function transferThenRevert(address to, uint256 value) external {
        _transfer(msg.sender, to, value);
        revert("reverted after transfer");
    }

    function _transfer(address from, address to, uint256 value) internal {
        require(to != address(0), "transfer to the zero address");
        uint256 bal = balanceOf[from];
        require(bal >= value, "balance exceeded");
        balanceOf[from] = bal - value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
