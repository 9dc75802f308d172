<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../widgets/login.py" line="38"/>
        <source>TruckWatch 登录</source>
        <translation>TruckWatch login</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="41"/>
        <source>重型货车主动安全监控台</source>
        <translation>Heavy-truck active safety console</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="46"/>
        <source>本地演示（内置平台 + 模拟车队，无需服务器）</source>
        <translation>Local demo (built-in platform + simulated fleet, no server needed)</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="48"/>
        <source>连接监控平台服务器</source>
        <translation>Connect to a monitoring platform server</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="60"/>
        <source>服务器地址：</source>
        <translation>Server address:</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="61"/>
        <source>用户名：</source>
        <translation>Username:</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="62"/>
        <source>密码：</source>
        <translation>Password:</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="70"/>
        <location filename="../../widgets/login.py" line="92"/>
        <source>登录</source>
        <translation>Log in</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="71"/>
        <source>退出</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="92"/>
        <source>启动本地演示</source>
        <translation>Start local demo</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="111"/>
        <source>请输入用户名和密码。</source>
        <translation>Please enter username and password.</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="139"/>
        <source>正在登录…</source>
        <translation>Logging in…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../widgets/main_window.py" line="45"/>
        <source>正在连接…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="46"/>
        <source>已连接</source>
        <translation>Connected</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="47"/>
        <source>连接中断，正在重连…</source>
        <translation>Connection lost, reconnecting…</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="48"/>
        <location filename="../../widgets/main_window.py" line="352"/>
        <source>登录已失效</source>
        <translation>Session expired</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="49"/>
        <source>未连接</source>
        <translation>Not connected</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="78"/>
        <source>TruckWatch 重型货车主动安全监控 — {who}</source>
        <translation>TruckWatch heavy-truck active safety — {who}</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="92"/>
        <source>车辆</source>
        <translation>Vehicles</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="95"/>
        <source>车辆详情</source>
        <translation>Vehicle details</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="137"/>
        <source>视图(&amp;V)</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="141"/>
        <source>墙屏模式（全屏）</source>
        <translation>Wall mode (full screen)</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="146"/>
        <source>恢复默认布局</source>
        <translation>Restore default layout</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="149"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="154"/>
        <source>地图(&amp;M)</source>
        <translation>&amp;Map</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="155"/>
        <source>跟踪所选车辆</source>
        <translation>Follow selected vehicle</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="159"/>
        <source>显示全部车辆</source>
        <translation>Show all vehicles</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="166"/>
        <source>OpenStreetMap</source>
        <translation>OpenStreetMap</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="167"/>
        <source>高德地图 (GCJ-02)</source>
        <translation>AutoNavi / Gaode (GCJ-02)</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="168"/>
        <source>天地图（需要密钥）…</source>
        <translation>Tianditu (needs a key)…</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="169"/>
        <source>自定义 XYZ 瓦片…</source>
        <translation>Custom XYZ tiles…</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="170"/>
        <source>离线瓦片目录…</source>
        <translation>Offline tile directory…</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="171"/>
        <source>无底图（仅县区轮廓）</source>
        <translation>No base map (county outlines only)</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="181"/>
        <source>设置(&amp;S)</source>
        <translation>&amp;Settings</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="182"/>
        <location filename="../../widgets/main_window.py" line="403"/>
        <source>语言 / Language</source>
        <translation>Language / 语言</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="193"/>
        <source>帮助(&amp;H)</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="194"/>
        <location filename="../../widgets/main_window.py" line="412"/>
        <source>关于 TruckWatch</source>
        <translation>About TruckWatch</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="325"/>
        <source>在线 {online}/{total}</source>
        <translation>Online {online}/{total}</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="329"/>
        <source>今日报警 {n}</source>
        <translation>Alarms today {n}</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="330"/>
        <source>未处理 {n}</source>
        <translation>Unhandled {n}</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="337"/>
        <source>平台时间 {t}</source>
        <translation>Platform time {t}</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="368"/>
        <source>天地图密钥 (tk)：</source>
        <translation>Tianditu key (tk):</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="369"/>
        <source>瓦片地址，例如 http://tiles.example/{z}/{x}/{y}.png：</source>
        <translation>Tile URL, e.g. http://tiles.example/{z}/{x}/{y}.png:</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="370"/>
        <source>离线瓦片目录（含 {z}/{x}/{y}.png）：</source>
        <translation>Offline tile directory (holding {z}/{x}/{y}.png):</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="374"/>
        <source>底图</source>
        <translation>Base map</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="415"/>
        <source>重型货车主动安全智能监控台</source>
        <translation>Heavy-truck active safety monitoring console</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="416"/>
        <source>平台</source>
        <translation>Platform</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <location filename="../../widgets/startup.py" line="70"/>
        <source>正在启动本地演示平台和模拟车队…</source>
        <translation>Starting the local demo platform and simulated fleet…</translation>
    </message>
    <message>
        <location filename="../../widgets/startup.py" line="78"/>
        <source> [本地演示]</source>
        <translation> [local demo]</translation>
    </message>
    <message>
        <location filename="../../widgets/startup.py" line="89"/>
        <source>本地演示无法启动</source>
        <translation>The local demo could not start</translation>
    </message>
</context>
<context>
    <name>VehicleCard</name>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="16"/>
        <source>行驶中</source>
        <translation>Moving</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="17"/>
        <source>停车</source>
        <translation>Stopped</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="18"/>
        <source>离线</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="19"/>
        <source>报警中</source>
        <translation>In alarm</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="48"/>
        <source>车牌</source>
        <translation>Plate</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="49"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="50"/>
        <source>企业</source>
        <translation>Enterprise</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="51"/>
        <source>县区</source>
        <translation>County</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="52"/>
        <source>驾驶员</source>
        <translation>Driver</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="53"/>
        <source>速度</source>
        <translation>Speed</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="54"/>
        <source>方向</source>
        <translation>Heading</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="55"/>
        <source>最后定位</source>
        <translation>Last position</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="56"/>
        <source>终端号</source>
        <translation>Terminal ID</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="57"/>
        <source>协议</source>
        <translation>Protocol</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="73"/>
        <location filename="../../widgets/vehicle_card.py" line="86"/>
        <source>今日报警</source>
        <translation>Alarms today</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="75"/>
        <source>在左侧车辆树中选择一辆车</source>
        <translation>Select a vehicle in the tree on the left</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="92"/>
        <source>（限速 {n}）</source>
        <translation> (limit {n})</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="101"/>
        <source>未登记</source>
        <translation>not registered</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="116"/>
        <source>今日报警（{n}）</source>
        <translation>Alarms today ({n})</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="121"/>
        <location filename="../../widgets/vehicle_card.py" line="127"/>
        <source>无</source>
        <translation>None</translation>
    </message>
</context>
<context>
    <name>VehicleTree</name>
    <message>
        <location filename="../../widgets/vehicle_tree.py" line="73"/>
        <source>搜索车牌…</source>
        <translation>Search plate…</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_tree.py" line="84"/>
        <source>仅在线</source>
        <translation>Online only</translation>
    </message>
</context>
<context>
    <name>VehicleTreeModel</name>
    <message>
        <location filename="../../widgets/vehicle_tree_model.py" line="253"/>
        <source>车辆</source>
        <translation>Vehicles</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_tree_model.py" line="290"/>
        <source>{name}：在线 {online} / 共 {total} 辆</source>
        <translation>{name}: {online} online of {total}</translation>
    </message>
</context>
</TS>
